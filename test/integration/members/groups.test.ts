import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as members from '../../../src/members/members.js'
import * as invitationsSvc from '../../../src/members/invitations.js'
import * as joining from '../../../src/members/join-requests.js'
import * as matches from '../../../src/brokering/matches.js'
import * as needs from '../../../src/needs/needs.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { events, invitations, joinRequests, memberships, notifications, outbox } from '../../../src/db/schema.js'
import { addUser, Browser, linkToken, makeApp, signedIn, tableCounts } from '../../helpers/app.js'
import { ANY_MARKER, brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

let app: FastifyInstance
let w: BrokerWorld
let leader: Browser
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  leader = await signedIn(app, w.member.email)
})
afterAll(async () => {
  await app?.close()
})

const roleIn = (orgId: number, userId: number) =>
  app.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get()?.role
const orgLog = (orgId: number) =>
  app.db
    .select()
    .from(events)
    .where(and(eq(events.subjectType, 'organization'), eq(events.subjectId, orgId)))
    .all()
    .map((e) => e.action)
let n = 0
const person = async (name: string) => addUser(app, { email: `p${++n}@example.cn`, name })
/** A link invitation made through the people page, as a leader does: the link is on the answer, once. */
async function inviteByLink(role: 'leader' | 'member', as = leader, orgId = w.orgA.id) {
  const res = await as.post(`/orgs/${orgId}/invitations`, { role })
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
  // Handlebars writes '=' as &#x3D; in the attribute; a browser reads it back as '='.
  const token = res.body.match(/invitations\?token(?:=|&#x3D;)([A-Za-z0-9_-]+)/)?.[1]
  expect(token).toBeDefined()
  return token!
}

describe('invitations', () => {
  it('a link joins the group with the role given, once; the secret is kept only as a hash', async () => {
    const token = await inviteByLink('leader')
    expect(JSON.stringify(app.db.select().from(invitations).all())).not.toContain(token)
    const co = await person('Co Leader')
    const b = await signedIn(app, co.email)
    const page = await b.get(`/invitations?token=${token}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('荔枝湾广场舞队')
    const res = await b.post('/invitations', { token })
    expect(res.statusCode).toBe(303)
    expect(roleIn(w.orgA.id, co.id)).toBe('leader')
    expect(reload(app, co).orgIds).toContain(w.orgA.id)
    // Single use: a second person with the same link gets a clear answer and joins nothing.
    const late = await person('Late')
    const lb = await signedIn(app, late.email)
    const again = await lb.post('/invitations', { token })
    expect(again.statusCode).toBe(410)
    expect(again.body).toContain('已经使用过')
    expect(roleIn(w.orgA.id, late.id)).toBeUndefined()
    expect(orgLog(w.orgA.id)).toEqual(expect.arrayContaining(['org.member_invited', 'org.member_joined']))
  })

  it('an expired, withdrawn or unknown invitation is refused with words, and nothing is written', async () => {
    const at = new Date(Date.now() - 15 * 86_400_000)
    const old = invitationsSvc.invite(app.db, reload(app, w.member), w.orgA.id, { role: 'member' }, at)
    const p = await person('Someone')
    const b = await signedIn(app, p.email)
    const before = tableCounts(app)
    const expired = await b.post('/invitations', { token: old.token })
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('已经过期')
    const withdrawn = invitationsSvc.invite(app.db, reload(app, w.member), w.orgA.id, { role: 'member' })
    invitationsSvc.revoke(app.db, reload(app, w.member), w.orgA.id, withdrawn.invitation.id)
    const counts = tableCounts(app)
    expect((await b.post('/invitations', { token: withdrawn.token })).statusCode).toBe(410)
    expect((await b.post('/invitations', { token: 'not-a-token' })).statusCode).toBe(410)
    expect((await b.get('/invitations?token=not-a-token')).statusCode).toBe(410)
    expect(tableCounts(app)).toEqual(counts)
    expect(before.memberships).toBe(counts.memberships)
    expect(roleIn(w.orgA.id, p.id)).toBeUndefined()
  })

  it("an invitation is bound to its group: it never joins another, and only the group's leaders may invite or withdraw", async () => {
    const { token, invitation } = invitationsSvc.invite(app.db, reload(app, w.member), w.orgA.id, { role: 'member' })
    const p = await person('Bound')
    invitationsSvc.accept(app.db, p, token)
    expect(roleIn(w.orgA.id, p.id)).toBe('member')
    expect(roleIn(w.orgB.id, p.id)).toBeUndefined()
    // The leader of org B cannot invite into org A nor withdraw its invitations (404: not theirs to see).
    const other = await signedIn(app, w.other.email)
    expect((await other.post(`/orgs/${w.orgA.id}/invitations`, { role: 'leader' })).statusCode).toBe(404)
    expect((await other.get(`/orgs/${w.orgA.id}/people`)).statusCode).toBe(404)
    expect((await other.post(`/orgs/${w.orgB.id}/invitations/${invitation.id}/revocation`, {})).statusCode).toBe(404)
    // A member of org A can neither.
    const mb = await signedIn(app, p.email)
    expect((await mb.get(`/orgs/${w.orgA.id}/people`)).statusCode).toBe(404)
    expect((await mb.post(`/orgs/${w.orgA.id}/invitations`, { role: 'leader' })).statusCode).toBe(404)
  })

  it('an e-mailed invitation waits in the outbox with its link; a visitor is sent to sign in and back', async () => {
    const res = await leader.post(`/orgs/${w.orgA.id}/invitations`, { role: 'member', email: 'Newcomer@Example.cn' })
    expect(res.statusCode).toBe(303)
    const mail = app.db.select().from(outbox).where(eq(outbox.to, 'newcomer@example.cn')).get()!
    expect(mail.subject).toContain('荔枝湾广场舞队')
    const token = linkToken(app, 'newcomer@example.cn', '/invitations')!
    expect(token).toBeDefined()
    const visitor = new Browser(app)
    const page = await visitor.get(`/invitations?token=${token}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`/signin?next=${encodeURIComponent(`/invitations?token=${token}`)}`)
    await visitor.refreshCsrf('/signin')
    expect((await visitor.post('/invitations', { token })).statusCode).toBe(401)
    expect((await leader.post(`/orgs/${w.orgA.id}/invitations`, { role: 'boss' })).statusCode).toBe(422)
    expect(
      (await leader.post(`/orgs/${w.orgA.id}/invitations`, { role: 'member', email: 'not an address' })).statusCode,
    ).toBe(422)
  })
})

describe('asking to join', () => {
  it("a person asks from the group's page; a leader approves (member) or declines; asking twice queues once", async () => {
    const p = await person('Asker')
    const b = await signedIn(app, p.email)
    expect((await b.get(`/orgs/${w.orgA.id}`)).body).toContain(`/orgs/${w.orgA.id}/join-requests`)
    expect((await b.post(`/orgs/${w.orgA.id}/join-requests`, { message: '我住在荔枝湾' })).statusCode).toBe(303)
    expect((await b.post(`/orgs/${w.orgA.id}/join-requests`, {})).statusCode).toBe(303)
    const open = app.db
      .select()
      .from(joinRequests)
      .where(and(eq(joinRequests.orgId, w.orgA.id), eq(joinRequests.userId, p.id)))
      .all()
    expect(open).toHaveLength(1)
    expect(
      app.db
        .select()
        .from(notifications)
        .where(eq(notifications.userId, w.member.id))
        .all()
        .map((x) => x.kind),
    ).toContain('org.join_requested')
    const people = await leader.get(`/orgs/${w.orgA.id}/people`)
    expect(people.body).toContain('我住在荔枝湾')
    // Another group's leader cannot decide it.
    const other = await signedIn(app, w.other.email)
    expect(
      (await other.post(`/orgs/${w.orgA.id}/join-requests/${open[0].id}`, { decision: 'approve' })).statusCode,
    ).toBe(404)
    expect(
      (await leader.post(`/orgs/${w.orgA.id}/join-requests/${open[0].id}`, { decision: 'approve' })).statusCode,
    ).toBe(303)
    expect(roleIn(w.orgA.id, p.id)).toBe('member')
    expect(
      (await leader.post(`/orgs/${w.orgA.id}/join-requests/${open[0].id}`, { decision: 'decline' })).statusCode,
      'decided once',
    ).toBe(404)

    const q = await person('Declined')
    const qb = await signedIn(app, q.email)
    await qb.post(`/orgs/${w.orgA.id}/join-requests`, {})
    const req = joining.openRequestOf(app.db, q.id, w.orgA.id)!
    expect((await leader.post(`/orgs/${w.orgA.id}/join-requests/${req.id}`, { decision: 'decline' })).statusCode).toBe(
      303,
    )
    expect(roleIn(w.orgA.id, q.id)).toBeUndefined()
    expect(orgLog(w.orgA.id)).toEqual(
      expect.arrayContaining(['org.join_requested', 'org.join_approved', 'org.join_declined']),
    )
  })
})

describe('roles, handover and the last leader', () => {
  it('the last leader can neither leave nor become a member; handing over first works', async () => {
    const a = await person('Solo Leader')
    const org = (await import('../../../src/orgs/orgs.js')).create(app.db, reload(app, a), {
      name: '独唱队',
      kind: 'community_group',
      areaId: w.communityA.id,
    })
    const b = await signedIn(app, a.email)
    const left = await b.post(`/orgs/${org.id}/people/${a.id}/removal`, {})
    expect(left.statusCode).toBe(409)
    expect(left.body).toContain('至少要有一位负责人')
    const demoted = await b.post(`/orgs/${org.id}/people/${a.id}`, { role: 'member' })
    expect(demoted.statusCode).toBe(409)
    expect(roleIn(org.id, a.id)).toBe('leader')
    const m = await person('Successor')
    invitationsSvc.accept(app.db, m, invitationsSvc.invite(app.db, reload(app, a), org.id, { role: 'member' }).token)
    const handed = await b.post(`/orgs/${org.id}/handover`, { userId: m.id })
    expect(handed.statusCode).toBe(303)
    expect([roleIn(org.id, a.id), roleIn(org.id, m.id)]).toEqual(['member', 'leader'])
    expect(
      app.db
        .select()
        .from(notifications)
        .where(eq(notifications.userId, m.id))
        .all()
        .map((x) => x.kind),
    ).toContain('org.leadership_handed_over')
    // Now a member, the old leader may leave; the new one is the last leader and may not.
    expect((await b.post(`/orgs/${org.id}/people/${a.id}/removal`, {})).statusCode).toBe(303)
    expect(roleIn(org.id, a.id)).toBeUndefined()
    expect(() => members.remove(app.db, reload(app, m), org.id, m.id)).toThrow(members.LastLeader)
    expect(orgLog(org.id)).toEqual(expect.arrayContaining(['org.leadership_handed_over', 'org.member_left']))
  })

  it('a leader changes roles and removes people; a handover to someone outside the group is refused', async () => {
    const p = await person('Promoted')
    invitationsSvc.accept(
      app.db,
      p,
      invitationsSvc.invite(app.db, reload(app, w.member), w.orgA.id, { role: 'member' }).token,
    )
    expect((await leader.post(`/orgs/${w.orgA.id}/people/${p.id}`, { role: 'leader' })).statusCode).toBe(303)
    expect(roleIn(w.orgA.id, p.id)).toBe('leader')
    expect((await leader.post(`/orgs/${w.orgA.id}/people/${p.id}/removal`, {})).statusCode).toBe(303)
    expect(roleIn(w.orgA.id, p.id)).toBeUndefined()
    const res = await leader.post(`/orgs/${w.orgA.id}/handover`, { userId: w.stranger.id })
    expect(res.statusCode).toBe(422)
    expect(roleIn(w.orgA.id, w.member.id)).toBe('leader')
    expect(orgLog(w.orgA.id)).toEqual(expect.arrayContaining(['org.member_role_changed', 'org.member_removed']))
  })
})

describe("a member sees the group's work and never acts", () => {
  it('sees its drafts and matches (contacts only once accepted); cannot answer, write, post or edit', async () => {
    const p = await person('Watcher')
    invitationsSvc.accept(
      app.db,
      p,
      invitationsSvc.invite(app.db, reload(app, w.member), w.orgA.id, { role: 'member' }).token,
    )
    const watcher = reload(app, p)
    expect(watcher.orgIds).toEqual([])
    expect(watcher.memberOrgIds).toEqual([w.orgA.id])
    const b = await signedIn(app, p.email)
    const draft = needs.post(app.db, reload(app, w.member), {
      orgId: w.orgA.id,
      category: 'venue',
      title: '草稿排练场地',
      quantity: 2,
      areaId: w.communityA.id,
      draft: true,
    })
    expect((await b.get(`/needs/${draft.id}`)).statusCode).toBe(200)
    expect((await b.get(`/needs/${draft.id}/edit`)).statusCode).toBe(404)
    expect((await b.post(`/needs/${w.need.id}/closure`, { reason: 'duplicate' })).statusCode).toBe(404)
    const m = matches.open(app.db, reload(app, w.other), 'pledge', {
      needId: w.need.id,
      offerId: w.offer.id,
      quantity: 1,
    })
    const page = await b.get(`/matches/${m.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('id="member-view"')
    expect(page.body).not.toContain('name="event"')
    expect(page.body).not.toMatch(ANY_MARKER)
    const move = await b.post(`/matches/${m.id}/transitions`, { event: 'accept' })
    expect(move.statusCode).toBe(403)
    expect((await b.post(`/matches/${m.id}/messages`, { body: 'hello' })).statusCode).toBe(403)
    const token = tokens.issue(app.db, p.id, 'test')
    const api = await app.inject({
      method: 'POST',
      url: `/api/v1/matches/${m.id}/transitions`,
      headers: { authorization: `Bearer ${token}` },
      payload: { event: 'accept' },
    })
    expect(api.statusCode).toBe(403)
    expect(() =>
      needs.post(app.db, watcher, {
        orgId: w.orgA.id,
        category: 'venue',
        title: '排练场地',
        quantity: 1,
        areaId: w.communityA.id,
      }),
    ).toThrow(/validation/)
    expect((await b.get('/matches')).body).toContain(`/matches/${m.id}`)
    // Once the leader accepts, the group's member sees the contacts as the group does.
    matches.fire(app.db, reload(app, w.member), m.id, 'accept')
    expect((await b.get(`/matches/${m.id}`)).body).toMatch(ANY_MARKER)
  })

  it('a member of another group sees none of it (404)', async () => {
    const p = await person('Outsider')
    invitationsSvc.accept(
      app.db,
      p,
      invitationsSvc.invite(app.db, reload(app, w.stranger), w.orgC.id, { role: 'member' }).token,
    )
    const b = await signedIn(app, p.email)
    const need = needs.post(app.db, reload(app, w.member), {
      orgId: w.orgA.id,
      category: 'venue',
      title: '排练场地',
      quantity: 2,
      areaId: w.communityA.id,
    })
    const m = matches.open(app.db, reload(app, w.member), 'request', {
      needId: need.id,
      offerId: w.offer.id,
      quantity: 1,
    })
    expect((await b.get(`/matches/${m.id}`)).statusCode).toBe(404)
    expect((await b.post(`/matches/${m.id}/transitions`, { event: 'withdraw' })).statusCode).toBe(404)
  })
})
