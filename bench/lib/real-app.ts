import { testConfig } from '../../src/config.js'
import { buildApp } from '../../src/app.js'

/** The real app on a bench database: every plugin, hook and query a visitor's request goes through. */
export default async function realApp(opts: Record<string, unknown>) {
  if (typeof opts.dbPath !== 'string') throw new Error('real-app needs { dbPath }')
  return buildApp(testConfig({ dbPath: opts.dbPath, logLevel: 'silent', rateLimits: false, scheduler: false }))
}
