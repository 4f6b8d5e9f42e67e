/**
 * The demo district, with its refs, behind the JSON API (api-reading.test.ts, api-writes.test.ts). Writes come from the
 * demo leader (org-dance and org-elder-help) through a bearer token, as an integration script would send them.
 * `useDemoApi()` starts the app for the calling test file (vitest gives each file its own copy of this module).
 */
import { afterAll, beforeAll } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { seedDemo } from '../../../src/demo/seed.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as areas from '../../../src/areas/areas.js'
import { makeApp } from '../../helpers/app.js'

export const PASSWORD = 'demo-password-for-api-tests'
export const api = {
  app: undefined as unknown as FastifyInstance,
  leader: undefined as unknown as accounts.CurrentUser,
  token: '',
  /** 老街坊社区 (HB-DH-LZW), where the posted needs are. */
  lzw: 0,
}

export function useDemoApi(): void {
  beforeAll(async () => {
    api.app = await makeApp()
    await seedDemo(api.app.db, { password: PASSWORD })
    api.leader = accounts.load(api.app.db, accounts.findByEmail(api.app.db, 'leader@demo.assetbridge.cn')!.id)!
    api.token = tokens.issue(api.app.db, api.leader.id, 'tests')
    api.lzw = areas.byRef(api.app.db, 'HB-DH-LZW')!.id
  })
  afterAll(() => api.app.close())
}

export const auth = () => ({ authorization: `Bearer ${api.token}` })
export const orgRef = (ref: string) =>
  api.app.sqlite.prepare('SELECT id FROM organizations WHERE ref = ?').pluck().get(ref) as number
export const needByRef = (ref: string) =>
  api.app.sqlite.prepare('SELECT id FROM needs WHERE ref = ?').pluck().get(ref) as number
export const offerByRef = (ref: string) =>
  api.app.sqlite.prepare('SELECT id FROM offers WHERE ref = ?').pluck().get(ref) as number

export type Item = Record<string, any>
export async function get(url: string, headers: Record<string, string> = {}) {
  const res = await api.app.inject({ url, headers })
  return { status: res.statusCode, body: res.json() as any, raw: res.body }
}
export function send(method: 'POST' | 'PUT', url: string, payload: object, headers: Record<string, string> = auth()) {
  return api.app.inject({ method, url, headers, payload })
}
export const newNeed = (over: object = {}) => ({
  org_id: orgRef('org-dance'),
  category: 'venue',
  title: '接口发布的排练场地',
  quantity: 6,
  area_id: api.lzw,
  ...over,
})
