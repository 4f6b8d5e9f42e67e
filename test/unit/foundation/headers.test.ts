import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import helmet, { type HelmetOptions } from 'helmet'
import { describe, expect, it } from 'vitest'
import { headerPlan } from '../../../src/plugins/headers.js'

/** What helmet's own middleware leaves on a real response that already carried X-Powered-By. */
function helmetOn(options: HelmetOptions) {
  const res = new ServerResponse(new IncomingMessage(new Socket()))
  res.setHeader('X-Powered-By', 'something')
  helmet(options)(res.req, res, () => {})
  return res.getHeaders()
}

/** The same, with the plan worked out once replayed instead. */
function planOn(options: HelmetOptions) {
  const res = new ServerResponse(new IncomingMessage(new Socket()))
  res.setHeader('X-Powered-By', 'something')
  const { set, remove } = headerPlan(options)
  for (const [name, value] of set) res.setHeader(name, value)
  for (const name of remove) res.removeHeader(name)
  return res.getHeaders()
}

const csp = (secure: boolean): HelmetOptions => ({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      objectSrc: ["'none'"],
      ...(secure ? { upgradeInsecureRequests: [] } : {}),
    },
  },
  hsts: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  referrerPolicy: { policy: 'same-origin' },
})

describe('headerPlan', () => {
  it.each([
    ['behind TLS', csp(true)],
    ['on plain http', csp(false)],
    ["helmet's defaults", {}],
  ])('leaves on a response exactly what helmet does (%s)', (_label, options) => {
    expect(planOn(options)).toEqual(helmetOn(options))
  })

  it('removes X-Powered-By and sets HSTS only when asked', () => {
    expect(planOn(csp(true))['x-powered-by']).toBeUndefined()
    expect(planOn(csp(true))['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    expect(planOn(csp(false))['strict-transport-security']).toBeUndefined()
  })
})
