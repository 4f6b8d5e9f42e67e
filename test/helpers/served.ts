import { isDeepStrictEqual } from 'node:util'
import { expect, onTestFinished } from 'vitest'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp } from '../../src/app.js'
import { testConfig, type Config } from '../../src/config.js'

/**
 * An app that keeps what each API handler built, before a response schema's serializer wrote it: `served(res)`
 * pairs a response with the value its handler returned, as plain JSON would write it. The caller closes the app. A response schema that drops,
 * renames or coerces a field shows as a difference between the two.
 */
export async function appKeepingBuilt(overrides: Partial<Config> = {}) {
  const app: FastifyInstance = await buildApp(testConfig({ dbPath: ':memory:', ...overrides }))
  const built = new Map<string, unknown>()
  app.addHook('preSerialization', async (req, _reply, payload) => {
    if (req.url.startsWith('/api/')) built.set(req.id, JSON.parse(JSON.stringify(payload)))
    return payload
  })
  await app.ready()
  /** Injects and answers { status, served: the JSON as sent, built: as the handler built it (undefined for errors). } */
  const call = async (opts: InjectOptions) => {
    const before = new Set(built.keys())
    const res = await app.inject(opts)
    const id = [...built.keys()].find((k) => !before.has(k))
    return {
      status: res.statusCode,
      served: res.json() as unknown,
      built: id === undefined ? undefined : built.get(id),
      res,
    }
  }
  return { app, call }
}

/**
 * An app that holds every API response it sends to what its handler built (as plain JSON would write it): a
 * difference is kept in `differences` (method, url, served, built), and `compared()` counts the answers held. For
 * tests of an area that drive its API through many states: they assert no differences once they are done.
 */
export async function appHoldingServedToBuilt(overrides: Partial<Config> = {}) {
  const app: FastifyInstance = await buildApp(testConfig({ dbPath: ':memory:', ...overrides }))
  const built = new Map<string, unknown>()
  const differences: { request: string; served: unknown; built: unknown }[] = []
  let compared = 0
  app.addHook('preSerialization', async (req, _reply, payload) => {
    if (req.url.startsWith('/api/')) built.set(req.id, JSON.parse(JSON.stringify(payload)))
    return payload
  })
  app.addHook('onSend', async (req, _reply, payload) => {
    if (!built.has(req.id)) return payload
    const served: unknown = JSON.parse(String(payload))
    const was = built.get(req.id)
    built.delete(req.id)
    compared++
    if (!isDeepStrictEqual(served, was)) differences.push({ request: `${req.method} ${req.url}`, served, built: was })
    return payload
  })
  await app.ready()
  return { app, differences, compared: () => compared }
}

/** appForTest whose API answers are held to what their handlers built: the test fails on a difference. */
export async function appForTestHoldingJson(overrides: Partial<Config> = {}) {
  const { app, differences } = await appHoldingServedToBuilt(overrides)
  onTestFinished(async () => {
    await app.close()
    expect(differences, 'served JSON differs from what the handler built').toEqual([])
  })
  return app
}
