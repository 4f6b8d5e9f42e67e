import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * A form sent after its session lapsed (idle time, a sign-out in another tab, a restart that lost the CSRF secret)
 * must not lose what was typed. The posted values go back into the page that answers — nowhere else: not the
 * session, not the database, not a cookie — and the person signs in where they are:
 *
 * - htmx (the need and offer forms, messages, every hx-post): the form stays untouched on screen; a sign-in box is
 *   put just before it, and once signed in the page's CSRF token is renewed (public/app.js), so the same button
 *   sends the same form again. Signing in in another tab works too: returning to this tab renews the token.
 * - a plain form (no script): a page keeps the values as hidden fields beside a sign-in form; after signing in a
 *   second page shows them in a form to the original address with a fresh token, one press away.
 */

/** Fields never echoed back into a page, whatever form they came from. */
const SECRET_FIELDS = new Set(['_csrf', 'password', 'currentPassword', 'newPassword', 'token'])
/** The kept fields travel through the sign-in form under this prefix, apart from its own email and password. */
export const KEPT_PREFIX = 'k:'

export interface KeptField {
  name: string
  value: string
}

/** A parsed urlencoded body → its fields in order, a repeated field (checkboxes) once per value. */
export function keptFields(body: unknown, prefix = ''): KeptField[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return []
  const out: KeptField[] = []
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!key.startsWith(prefix)) continue
    const name = key.slice(prefix.length)
    if (!name || SECRET_FIELDS.has(name)) continue
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === 'string' || typeof v === 'number') out.push({ name, value: String(v) })
  }
  return out
}

/** A same-site path to send the kept form to (never another site, never a sign-in route). */
export function resubmitTarget(url: unknown): string | undefined {
  if (
    typeof url !== 'string' ||
    !/^\/(?![/\\])[\x21-\x7e]*$/.test(url) ||
    /^\/(signin|signup|signout|password)\b/.test(url)
  )
    return undefined
  return url
}

const isHtmx = (req: FastifyRequest) => req.headers['hx-request'] === 'true' && !req.headers['hx-boosted']

/**
 * Is this failed write one the lapse path answers? A browser's form to a route that needs someone signed in, from
 * someone signed out — or, from htmx only, someone signed in whose token is stale: that answer carries a fresh token
 * and nothing else (the values stay in the person's own page, which another site cannot script), whereas a plain
 * form with a bad token from a live session stays a refusal: echoing its values into a form would hand a forger's
 * values one click from being sent.
 */
export function lapsable(req: FastifyRequest): boolean {
  const access = req.routeOptions?.config?.access
  if (
    req.url.startsWith('/api/') ||
    access === undefined ||
    access === 'anyone' ||
    req.routeOptions.config.streamedBody ||
    !resubmitTarget(req.url)
  )
    return false
  return !req.user || isHtmx(req)
}

/**
 * The answer to a lapsed write: "登录已过期，请重新登录后再提交" with a sign-in in place; or, for htmx when the person
 * is already signed in again (another tab), the header with a fresh token so the same button works once more.
 */
export function answerLapsed(req: FastifyRequest, reply: FastifyReply) {
  const kept = keptFields(req.body)
  req.log.info(
    { event: 'session.lapsed_submit', url: req.url, signedIn: !!req.user },
    'write after the session lapsed: input kept in the page',
  )
  if (isHtmx(req)) {
    // Before the form (or whatever it swaps), not instead of it: what was typed stays on screen.
    const trigger = req.headers['hx-trigger']
    if (typeof trigger === 'string' && /^[A-Za-z][\w-]*$/.test(trigger)) reply.header('HX-Retarget', `#${trigger}`)
    reply.header('HX-Reswap', 'beforebegin').header('X-Lapsed', '1')
    return reply.render(
      'accounts/lapsed',
      { form: true, lapsedInline: true, again: !!req.user },
      { status: 401, partial: 'accounts/lapsed-box' },
    )
  }
  return reply.render(
    'accounts/lapsed',
    { form: true, kept, to: req.url, title: req.t('lapse.title') },
    { status: 401, partial: 'accounts/lapsed-box' },
  )
}
