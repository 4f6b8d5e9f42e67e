import type { FastifyReply, FastifyRequest } from 'fastify'
import { BUSY_RETRY_SECONDS, DomainError, isBusy, ValidationError, type FieldErrors } from './errors.js'
import { fieldErrors } from './forms.js'

/**
 * Only same-site paths: `next=//evil.example` or `next=https://…` must not send a user away. Control characters
 * are refused too: browsers drop tabs and newlines from a Location, so `/\t/evil.example` would become `//evil.example`
 * (and a raw newline cannot be put in a header at all).
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next) || /[\u0000-\u001f\u007f]/.test(next)) return fallback
  // A header carries ASCII only: `/orgs?q=广场舞` is sent percent-encoded rather than failing with a 500.
  return next.replace(/[^\u0021-\u007e]+/g, (s) => encodeURIComponent(s))
}

/**
 * A form round-trip: schema problems and domain ValidationErrors both come back as a 422 with the form
 * re-rendered and every problem next to its field; a busy database (nothing saved) as a 503 with the form as typed,
 * to press again; anything else propagates to the error handler.
 */
export async function submitForm(
  req: FastifyRequest,
  reply: FastifyReply,
  showForm: (errors: FieldErrors, status: number) => Promise<FastifyReply>,
  act: () => Promise<FastifyReply> | FastifyReply,
): Promise<FastifyReply> {
  if (req.validationError) return showForm(fieldErrors(req.validationError.validation), 422)
  try {
    return await act()
  } catch (err) {
    if (err instanceof ValidationError) return showForm(err.fields, 422)
    // A conflict (someone else's edit, a rule of the workflow) is shown on the form, input kept.
    if (err instanceof DomainError && err.status === 409) return showForm({ _: err.problem }, 409)
    if (isBusy(err)) {
      req.log.warn({ event: 'db.busy', url: req.url }, 'database busy: write refused, nothing saved')
      reply.header('Retry-After', String(BUSY_RETRY_SECONDS))
      return showForm({ _: { key: 'error.busy' } }, 503)
    }
    throw err
  }
}

/** After a successful write: htmx follows HX-Location, plain forms follow a 303 (post/redirect/get). */
export function redirectAfterPost(req: FastifyRequest, reply: FastifyReply, url: string) {
  if (req.headers['hx-request'] === 'true') return reply.header('HX-Redirect', url).code(204).send()
  return reply.redirect(url, 303)
}

/** Per-address request budget for a route that writes (sign-in, posting, messaging); off when RATE_LIMITS=0. */
export function rateLimited(config: { rateLimits: boolean }, max: number) {
  return config.rateLimits ? { rateLimit: { max, timeWindow: '1 minute' } } : {}
}

/** A download's Content-Disposition (RFC 6266): the real UTF-8 name, and an ASCII one for clients that cannot read it. */
export function attachment(filename: string, asciiFallback: string): string {
  const ascii = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

/** An API refusal of one problem, in the shape every API refusal has (shared/json.ts `Refusal`); `field` null for the request as a whole. */
export const refused = (reply: FastifyReply, status: number, field: string | null, message: string) =>
  reply.code(status).send({ errors: [{ field, message }] })

/** Runs `act`; a ValidationError it throws is thrown again with each field as the API spells it (the services name them as the forms do). */
export function apiFieldNames<T>(apiName: (field: string) => string, act: () => T): T {
  try {
    return act()
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    throw new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([f, p]) => [apiName(f), p])))
  }
}
