/**
 * What a browser's upload form sends: files' real first bytes, and the multipart body with the CSRF field first. The
 * app reads a file's type from its bytes, never from its name or the part's content-type, so these are padded real
 * signatures.
 */
export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(200, 7),
])
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 1)])
export const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x20, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.alloc(100, 2),
])
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')
export const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>')

const BOUNDARY = '----AssetBridgeTestBoundary7MA4YWxkTrZu0gW'
/** The request's content-type for a body made by multipart(). */
export const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`

export type Part = { name?: string; filename: string; type?: string; data: Buffer | string }

/**
 * The multipart body a browser sends: the token first (none when undefined), then each file part (field `files` unless
 * named); `close: false` leaves the closing boundary off, as a cut-off upload would.
 */
export function multipart(token: string | undefined, parts: Part[], { close = true } = {}): Buffer {
  const chunks: Buffer[] = []
  if (token !== undefined)
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`))
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name ?? 'files'}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    )
    chunks.push(Buffer.from(p.data), Buffer.from('\r\n'))
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  return Buffer.concat(chunks)
}
