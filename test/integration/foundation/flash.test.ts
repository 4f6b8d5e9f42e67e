import { afterAll, beforeAll, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { makeApp, seedWorld, signedIn } from '../../helpers/app.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await makeApp()
})
afterAll(() => app.close())

// Sending a form while a fragment is on its way (the topic chips refresh as one types) used to lose the message:
// the fragment's answer consumed the flash the page after the redirect should show.
it('a flash waits for the next full page: htmx fragments answered meanwhile do not consume it', async () => {
  const w = await seedWorld(app)
  const b = await signedIn(app, w.member.email)
  expect((await b.post('/signout', {})).statusCode).toBe(303)
  const fragment = await b.get('/needs', { 'hx-request': 'true' })
  expect(fragment.statusCode).toBe(200)
  expect(fragment.body).not.toContain('您已退出登录')
  const page = await b.get('/')
  expect(page.body).toContain('您已退出登录。')
  // Shown once.
  expect((await b.get('/')).body).not.toContain('您已退出登录。')
})
