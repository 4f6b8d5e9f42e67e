// Controls other than tab and line breaks, and the bidi embeddings, overrides and isolates that make text read in
// another order than it is stored (U+202A–U+202E, U+2066–U+2069: "Trojan Source", spoofed file names).
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g

/** What a person's text is stored as: no control characters or bidi overrides; one line unless `multiline`. */
export function cleanText(s: string, multiline: boolean): string {
  const text = s.replace(BIDI, '').replace(CONTROLS, '')
  return multiline ? text.replace(/\r\n?/g, '\n') : text.replace(/[\r\n\t]+/g, ' ')
}
