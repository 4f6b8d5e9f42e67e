import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Browser, linkToken, makeApp, PASSWORD } from '../../helpers/app.js'

// A visitor who pressed "I can help" on a listing and has no account signs up on the way: the mailed link
// brings them back to the listing, not to a page they never asked for.
let app: FastifyInstance
beforeAll(async () => {
  app = await makeApp()
})
afterAll(() => app.close())

async function signUp(next: string, email: string) {
  const b = new Browser(app)
  const signin = await b.get(`/signin?next=${encodeURIComponent(next)}`)
  const form = await b.get('/signup?next=' + encodeURIComponent(next))
  const started = await b.post('/signup', { name: '王会计', email, password: PASSWORD, next })
  expect(started.statusCode).toBe(200)
  const mail = app.sqlite
    .prepare('SELECT body FROM outbox WHERE to_addr = ? ORDER BY id DESC')
    .pluck()
    .get(email) as string
  const token = linkToken(app, email, '/signup/confirm')!
  const page = await b.get(
    `/signup/confirm?token=${token}${mail.includes('&next=') ? mail.slice(mail.indexOf('&next='), mail.indexOf('\n', mail.indexOf('&next='))) : ''}`,
  )
  const hidden = page.body.match(/name="next" value="([^"]*)"/)?.[1]
  const confirmed = await b.post('/signup/confirm', {
    token,
    password: PASSWORD,
    ...(hidden ? { next: hidden.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&') } : {}),
  })
  return { signin, form, mail, confirmed }
}

describe('signing up on the way somewhere', () => {
  it('carries the listing from sign-in to sign-up, through the mailed link, and lands there', async () => {
    const r = await signUp('/needs/12#help', 'wang@example.cn')
    expect(r.signin.body).toContain('href="/signup?next=%2Fneeds%2F12%23help"')
    expect(r.form.body).toContain('name="next" value="/needs/12#help"')
    expect(r.mail).toContain('&next=%2Fneeds%2F12%23help')
    expect(r.confirmed.statusCode).toBe(303)
    expect(r.confirmed.headers.location).toBe('/needs/12#help')
  })

  it('drops a next that leaves the site, and goes on to registering a group as before', async () => {
    const r = await signUp('//evil.example/steal', 'li@example.cn')
    expect(r.mail).not.toContain('evil')
    expect(r.confirmed.headers.location).toBe('/orgs/new')
  })
})
