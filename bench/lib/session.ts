/**
 * A tiny HTTP client for benches that drive the real server as a browser would: a cookie jar, and the CSRF token of
 * the last form it saw, sent with each POST.
 */
export class Session {
  private jar = new Map<string, string>()
  csrf = ''

  constructor(private readonly base: string) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (value === '' || /max-age=0/i.test(line)) this.jar.delete(name)
      else this.jar.set(name, value)
    }
  }

  private get cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async get(url: string): Promise<string> {
    const res = await fetch(this.base + url, { headers: { cookie: this.cookie }, redirect: 'manual' })
    this.remember(res)
    const html = await res.text()
    const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1]
    if (token) this.csrf = token
    return html
  }

  async post(url: string, form: Record<string, string | number>): Promise<{ status: number; location: string }> {
    const body = new URLSearchParams({
      _csrf: this.csrf,
      ...Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)])),
    })
    const res = await fetch(this.base + url, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    })
    this.remember(res)
    await res.arrayBuffer()
    return { status: res.status, location: res.headers.get('location') ?? '' }
  }

  async signIn(email: string, password: string) {
    await this.get('/signin')
    const res = await this.post('/signin', { email, password })
    if (res.status !== 303) throw new Error(`sign-in as ${email} answered ${res.status}`)
  }
}

/** The ids a form offers for a field: a hidden input's one value, or a select's options. */
export const optionsOf = (html: string, name: string) => {
  const at = html.indexOf(`name="${name}"`)
  if (at < 0) return []
  const input = html.slice(at).match(/^name="[^"]+" value="(\d+)"/)
  if (input) return [Number(input[1])]
  const select = html.slice(at, html.indexOf('</select>', at))
  return [...select.matchAll(/value="(\d+)"/g)].map((m) => Number(m[1]))
}
