/**
 * Child-process entry: `fork('bench/lib/serve.ts', [factoryModule, jsonOptions], { execArgv: ['--import', 'tsx'] })`.
 * Builds an app with the module's default export, listens on an ephemeral port, tells the parent the port
 * over IPC and closes when the parent goes away. Keeps the server off the load generator's event loop.
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'

export type AppFactory = (opts: Record<string, unknown>) => Promise<FastifyInstance>

const [modulePath, json] = process.argv.slice(2)
if (!modulePath || !process.send) throw new Error('serve.ts runs as a forked child: fork(serve.ts, [module, json])')
const factory = (await import(pathToFileURL(path.resolve(modulePath)).href)).default as AppFactory
const app = await factory(JSON.parse(json ?? '{}'))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send({ port: typeof address === 'object' && address ? address.port : 0 })

let closing = false
const stop = async () => {
  if (closing) return
  closing = true
  await app.close()
  process.exit(0)
}
process.on('disconnect', stop)
process.on('SIGTERM', stop)
