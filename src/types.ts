import type { Db, Sqlite } from './db/client.js'
import type { Config } from './config.js'
import type { Locale } from './i18n/i18n.js'
import type { CurrentUser } from './accounts/accounts.js'

/**
 * Every route declares who may call it; a route without a policy fails at start-up (see plugins/auth.ts).
 * Object-level rights are not here: they come from scoped lookups in the services.
 */
export type Access = 'anyone' | 'signed_in' | 'broker' | 'admin' | 'staff'

export interface RenderOptions {
  partial?: string
  status?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    sqlite: Sqlite
    config: Config
    /** Is this the session's CSRF token? (plugins/security.ts; for bodies read as a stream) */
    csrfTokenValid(req: FastifyRequest, token: string): boolean
  }
  interface FastifyRequest {
    user: CurrentUser | null
    /** Set when the caller authenticated with an API bearer token rather than a session cookie. */
    viaToken: boolean
    locale: Locale
    t: (key: string, params?: Record<string, unknown>) => string
  }
  interface FastifyReply {
    render(page: string, data?: Record<string, unknown>, opts?: RenderOptions): Promise<FastifyReply>
    flash(key: string, params?: Record<string, string | number>): FastifyReply
  }
  interface FastifyContextConfig {
    access?: Access
    /**
     * The route reads its body as a stream (an upload): sign-in, role, origin and the session's CSRF secret are
     * checked before the body is parsed, and the parser checks the token before reading a file.
     */
    streamedBody?: boolean
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    userId?: number
    createdAt?: number
  }
}
