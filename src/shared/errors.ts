/** A message key plus parameters: the domain names a problem, the view says it in the user's language. */
export interface Problem {
  key: string
  params?: Record<string, string | number>
}
export type FieldErrors = Record<string, Problem>

export class DomainError extends Error {
  readonly status: number = 409
  constructor(readonly problem: Problem) {
    super(problem.key)
  }
}

/** Input that breaks a rule: answered 422 with each problem next to its field. */
export class ValidationError extends DomainError {
  override readonly status = 422
  constructor(readonly fields: FieldErrors) {
    super({ key: 'error.validation' })
  }
}

export class NotPermitted extends DomainError {
  override readonly status = 403
}

/** Nobody is signed in where someone must be (answered 401 like the access policy's own refusal). */
export class SignInRequired extends DomainError {
  override readonly status = 401
  constructor() {
    super({ key: 'auth.required' })
  }
}

/** The record changed since the user loaded it (optimistic version check). */
export class StaleEdit extends DomainError {
  constructor() {
    super({ key: 'error.stale' })
  }
}

export class InvalidTransition extends DomainError {}

/** An idempotency key sent again with a different request: refused (422), never answered with the first result. */
export class IdempotencyKeyReused extends DomainError {
  override readonly status = 422
  constructor() {
    super({ key: 'error.idempotency_reused' })
  }
}

export class NotFound extends DomainError {
  override readonly status = 404
  constructor() {
    super({ key: 'error.not_found' })
  }
}

/**
 * Another connection held the database's write lock past busy_timeout (SQLITE_BUSY, which drizzle may wrap as the
 * cause of its own error). The statement or transaction that met it wrote nothing, and the same request may well
 * succeed a moment later: answered 503 with Retry-After, never as a server fault.
 */
export function isBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true
  }
  return false
}

/** Seconds a busy answer asks the client to wait: about the busy_timeout another writer has already outlasted. */
export const BUSY_RETRY_SECONDS = 5
