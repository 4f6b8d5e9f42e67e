import type { FastifyInstance } from 'fastify'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { addOrg, addUser, seedWorld, type World } from '../../helpers/app.js'

/**
 * seedWorld plus what a fund call needs: a street office in street A (its leader `holder`), two reviewers — `rev1`,
 * a resident with no group, and `rev2`, also a plain member of org A (so the conflict rule sets them aside on A's
 * applications) — and org A's co-leader. Each person has an API token.
 */
export async function callsWorld(app: FastifyInstance) {
  const w: World = await seedWorld(app)
  const [holderUser, rev1, rev2, coLeader] = await Promise.all([
    addUser(app, { email: 'holder@example.cn', name: '街道李主任' }),
    addUser(app, { email: 'rev1@example.cn', name: '居民代表王阿姨' }),
    addUser(app, { email: 'rev2@example.cn', name: '评审张老师' }),
    addUser(app, { email: 'co@example.cn', name: '副队长' }),
  ])
  const holderOrg = addOrg(app, holderUser.id, { name: '东湖街道办事处', kind: 'street_office', areaId: w.streetA.id })
  app.sqlite.prepare(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, 'member')`).run(rev2.id, w.orgA.id)
  app.sqlite
    .prepare(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, 'leader')`)
    .run(coLeader.id, w.orgA.id)
  // A third group, in street A beside org A, led by `other2`.
  const other2 = await addUser(app, { email: 'other2@example.cn', name: '读书会组长' })
  const orgC = addOrg(app, other2.id, { name: '荔枝湾亲子读书会', areaId: w.communityA.id })
  const load = (id: number) => accounts.load(app.db, id)!
  const token = (id: number) => tokens.issue(app.db, id)
  return {
    ...w,
    holderOrg,
    orgC,
    holder: load(holderUser.id),
    rev1: load(rev1.id),
    rev2: load(rev2.id),
    coLeader: load(coLeader.id),
    other2: load(other2.id),
    tokens: {
      holder: token(holderUser.id),
      rev1: token(rev1.id),
      rev2: token(rev2.id),
      member: token(w.member.id),
      co: token(coLeader.id),
      other: token(w.other.id),
      other2: token(other2.id),
      broker: token(w.broker.id),
      admin: token(w.admin.id),
    },
  }
}
export type CallsWorld = Awaited<ReturnType<typeof callsWorld>>

export async function api(
  app: FastifyInstance,
  token: string | null,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  return app.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) })
}
