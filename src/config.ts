import path from 'node:path'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { randomUUID } from 'node:crypto'

export interface Config {
  root: string
  host: string
  port: number
  dbPath: string
  /** Capacity evidence files (photos, scans, PDFs): beside the database unless EVIDENCE_DIR says where. */
  evidenceDir: string
  demoData: boolean
  /** When absent, the app generates one on first start and keeps it in the database. */
  sessionSecret?: string
  /** Secure, __Host- cookies and HSTS: on in production (behind TLS), off on plain-http localhost. */
  secureCookies: boolean
  /**
   * Addresses of the TLS-terminating proxy whose X-Forwarded-Proto/-For are believed (e.g. "127.0.0.1",
   * "loopback", "10.0.0.0/8"). Without it every request looks like plain http from the proxy's address:
   * Secure session cookies are never set and per-address limits lump all users together.
   */
  trustProxy: string | false
  sessionIdleMinutes: number
  sessionMaxHours: number
  smtpUrl?: string
  mailFrom: string
  baseUrl: string
  requestReminderDays: number
  /** Run scheduled work (reminders, digests, expiry) in the web process. */
  scheduler: boolean
  logLevel: string
  rateLimits: boolean
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export class ConfigError extends Error {}

function int(env: Record<string, string | undefined>, name: string, fallback: number, min = 0, max = 1e9): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`)
  return n
}

function bool(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true
  if (['0', 'false', 'no', 'off'].includes(raw)) return false
  throw new ConfigError(`${name} must be 1 or 0, got "${env[name]}"`)
}

/** `db/assetbridge.sqlite` keeps its evidence in `db/assetbridge.evidence/`; an in-memory database in a temporary folder of its own. */
export function evidenceDirFor(dbPath: string): string {
  if (dbPath === ':memory:' || dbPath === '') return path.join(os.tmpdir(), `assetbridge-evidence-${randomUUID()}`)
  const parsed = path.parse(path.resolve(dbPath))
  return path.join(parsed.dir, `${parsed.name}.evidence`)
}

/** Pure: the whole environment contract in one place (documented in README.md). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const production = env.NODE_ENV === 'production'
  const host = env.HOST || '127.0.0.1'
  const port = int(env, 'PORT', 3000, 0, 65535)
  const secret = env.SESSION_SECRET
  if (secret !== undefined && secret.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters')
  const dbPath = env.DATABASE_URL
    ? env.DATABASE_URL.replace(/^(sqlite|file):(\/\/)?/, '')
    : path.join(ROOT, 'db', 'assetbridge.sqlite')
  return {
    root: ROOT,
    host,
    port,
    dbPath,
    evidenceDir: env.EVIDENCE_DIR ? path.resolve(env.EVIDENCE_DIR) : evidenceDirFor(dbPath),
    demoData: bool(env, 'DEMO_DATA', true),
    sessionSecret: secret || undefined,
    secureCookies: bool(env, 'SECURE_COOKIES', production),
    // Production runs behind a TLS proxy (server.ts speaks plain http), on this host unless TRUST_PROXY says where.
    trustProxy: env.TRUST_PROXY?.trim() || (production ? 'loopback' : false),
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 30, 1),
    sessionMaxHours: int(env, 'SESSION_MAX_HOURS', 12, 1),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'AssetBridge <noreply@assetbridge.local>',
    baseUrl: env.BASE_URL || `http://${host}:${port}`,
    requestReminderDays: int(env, 'REQUEST_REMINDER_DAYS', 3, 1, 365),
    scheduler: bool(env, 'SCHEDULER', true),
    logLevel: env.LOG_LEVEL || (production ? 'info' : 'warn'),
    rateLimits: bool(env, 'RATE_LIMITS', true),
  }
}

/** Defaults for tests: in-memory database, no demo data, no background scheduler. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    dbPath: ':memory:',
    evidenceDir: evidenceDirFor(overrides.dbPath ?? ':memory:'),
    demoData: false,
    scheduler: false,
    logLevel: 'silent',
    sessionSecret: 'test-secret-test-secret-test-secret-42',
    ...overrides,
  }
}
