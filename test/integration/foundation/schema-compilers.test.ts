import { onTestFinished, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'

/** An app that keeps, from inside each request, the query it validated and its route's compiled schemas. */
async function watchedApp() {
  const app = await buildApp(testConfig({ dbPath: ':memory:' }))
  onTestFinished(() => app.close())
  const seen: { query?: unknown; validateQuery?: unknown; serialize200?: unknown } = {}
  app.addHook('preHandler', async (req, reply) => {
    Object.assign(seen, {
      query: req.query,
      validateQuery: req.getValidationFunction('querystring'),
      serialize200: reply.getSerializationFunction('200'),
    })
  })
  await app.ready()
  return { app, seen }
}

describe('route schemas', () => {
  // The tests build an app each; compiling every route's schemas again took most of the time of building one.
  it('are compiled once per process, not once per app', async () => {
    const [first, second] = [await watchedApp(), await watchedApp()]
    await first.app.inject({ url: '/needs' })
    await second.app.inject({ url: '/needs' })
    expect(first.seen.validateQuery).toBeTypeOf('function')
    expect(second.seen.validateQuery).toBe(first.seen.validateQuery)
    await first.app.inject({ url: '/api/v1/calls' })
    await second.app.inject({ url: '/api/v1/calls' })
    expect(first.seen.serialize200).toBeTypeOf('function')
    expect(second.seen.serialize200).toBe(first.seen.serialize200)
  })

  it('still validate, coerce and answer as their schemas say in a later app', async () => {
    await watchedApp()
    const { app, seen } = await watchedApp()
    expect((await app.inject({ url: '/api/v1/needs?page=zero' })).statusCode).toBe(400)
    const listed = await app.inject({ url: '/api/v1/needs?page=2&nonsense=1' })
    expect(listed.statusCode).toBe(200)
    expect(seen.query).toEqual({ page: 2 })
    expect(Object.keys(listed.json()).sort()).toMatchInlineSnapshot(`
      [
        "items",
        "page",
        "pages",
        "total",
      ]
    `)
  })
})
