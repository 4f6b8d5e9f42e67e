import { Readable } from 'node:stream'
import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { appForTest, Browser, seedWorld, signedIn, tableCounts, type World } from '../../helpers/app.js'

// The body from issue 11 that stopped the process: a file part that never ends.
const TRUNCATED = '--abc\r\nContent-Disposition: form-data; name="f"; filename="x.json"\r\n\r\n{}'
const BOUNDARY = 'multipart/form-data; boundary=abc'
const csrfPart = (token: string) => `--abc\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`

/** A request body that remembers whether anyone read it. */
function watched(text: string) {
  const stream = Readable.from([Buffer.from(text)]) as Readable & { touched?: boolean }
  const read = stream.read.bind(stream)
  stream.read = (n?: number) => {
    stream.touched = true
    return read(n)
  }
  return stream
}

let app: FastifyInstance
let world: World
beforeEach(async () => {
  app = await appForTest()
  world = await seedWorld(app)
})

const post = (b: Browser, payload: string | Readable, headers: Record<string, string> = {}) =>
  b.request('POST', '/ledger/import', { headers: { 'content-type': BOUNDARY, ...headers }, payload: payload as string })

async function stillAnswers() {
  const res = await new Browser(app).get('/')
  expect(res.statusCode).toBe(200)
}

describe('a truncated upload cannot stop the process', () => {
  it('refuses a visitor and a member before reading a byte of the body', async () => {
    const member = await signedIn(app, world.member.email)
    const before = tableCounts(app)
    const visitorBody = watched(TRUNCATED)
    const visitor = await post(new Browser(app), visitorBody)
    expect(visitor.statusCode).toBe(401)
    expect(visitorBody.touched).toBeUndefined()

    const memberBody = watched(csrfPart(member.csrf!) + TRUNCATED)
    const refused = await post(member, memberBody)
    expect(refused.statusCode).toBe(403)
    expect(memberBody.touched).toBeUndefined()
    expect(tableCounts(app)).toEqual(before)
    await stillAnswers()
  })

  it('refuses a broker whose session has no token, or whose request comes from another site, before reading the body', async () => {
    const broker = new Browser(app)
    await broker.signIn(world.broker.email)
    // Signed in, but no page with a form was ever shown: the session holds no CSRF secret.
    const noSecret = watched(TRUNCATED)
    expect((await post(broker, noSecret)).statusCode).toBe(403)
    expect(noSecret.touched).toBeUndefined()

    await broker.refreshCsrf('/ledger')
    const crossSite = watched(csrfPart(broker.csrf!) + TRUNCATED)
    const res = await post(broker, crossSite, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
    expect(res.statusCode).toBe(403)
    expect(crossSite.touched).toBeUndefined()
    await stillAnswers()
  })

  it('answers a signed-in broker 400 or 403 for every way the body can be cut short or forged, and keeps answering', async () => {
    const broker = await signedIn(app, world.broker.email)
    await broker.refreshCsrf('/ledger')
    const token = broker.csrf!
    const before = tableCounts(app)
    const cases: [string, string, number][] = [
      ['no token, file cut short (the issue)', TRUNCATED, 403],
      ['a wrong token first', csrfPart('forged') + TRUNCATED, 403],
      ['a file before the token', TRUNCATED.replace('{}', '{}\r\n') + csrfPart(token) + '--abc--\r\n', 403],
      ['valid token, file cut short', csrfPart(token) + TRUNCATED, 400],
      ['valid token, cut inside the file part headers', csrfPart(token) + '--abc\r\nContent-Disposition: form-da', 400],
      ['cut inside the token field', '--abc\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nabc', 400],
      ['cut inside the first headers', '--abc\r\nContent-Dis', 400],
      ['no closing boundary', csrfPart(token), 400],
      ['not multipart at all', 'hello', 400],
      ['empty', '', 400],
    ]
    for (const [what, payload, status] of cases) {
      const res = await post(broker, payload)
      expect(res.statusCode, what).toBe(status)
      expect(res.body, what).not.toContain('Part terminated')
    }
    // A boundary missing from the header, and one whose value is broken.
    expect((await post(broker, csrfPart(token), { 'content-type': 'multipart/form-data' })).statusCode).toBe(400)
    expect((await post(broker, csrfPart(token), { 'content-type': 'multipart/form-data; boundary=' })).statusCode).toBe(
      400,
    )
    expect(tableCounts(app)).toEqual(before)
    await stillAnswers()
    // The broker's session still works for a real upload afterwards.
    const ok = await post(
      broker,
      `${csrfPart(token)}--abc\r\nContent-Disposition: form-data; name="files"; filename="ledger.json"\r\n\r\n{"format": "assetbridge/v1"}\r\n--abc--\r\n`,
    )
    expect(ok.statusCode).toBe(200)
  })

  it('takes the ledger only as the multipart form: a JSON, urlencoded or text body is refused with 415', async () => {
    const admin = await signedIn(app, world.admin.email)
    await admin.refreshCsrf('/ledger')
    const before = tableCounts(app)
    for (const [type, payload] of [
      ['application/json', '{"files":[{}]}'],
      ['application/json', '{"files":[{"filename":"x.json","data":"e30="}],"tooMany":true}'],
      ['application/json', 'null'],
      ['application/x-www-form-urlencoded', 'files=x'],
      ['text/plain', 'files'],
    ]) {
      const res = await admin.request('POST', '/ledger/import', {
        headers: { 'content-type': type, 'x-csrf-token': admin.csrf! },
        payload,
      })
      expect(res.statusCode, `${type} ${payload}`).toBe(415)
    }
    expect(tableCounts(app)).toEqual(before)
  })
})
