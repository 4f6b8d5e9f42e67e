/**
 * Capacity assessments: a broker covering an organization records one, what the form checks, and who may record, see
 * and edit one. How an organization's page shows them is org-page.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import * as accounts from '../../../src/accounts/accounts.js'
import * as capacity from '../../../src/capacity/capacity.js'
import { capacityAssessments, events } from '../../../src/db/schema.js'
import { INDICATOR_CODES, type Scores } from '../../../src/capacity/indicators.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { ValidationError } from '../../../src/shared/errors.js'
import { addUser, Browser, fieldError, makeApp, signedIn, tableCounts } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

// One district for the file: org A (community A, street A) led by `member`; `broker` and `colleague` cover street A,
// `broker2` covers street B only; org B is led by `other`. Each test records assessments of its own.
let app: FastifyInstance
let w: BrokerWorld
let member: Browser
let other: Browser
let broker: Browser
let colleague: Browser
let outsider: Browser
let admin: Browser
let visitor: Browser
const now = new Date()
const day = (offset: number) => localToday(addDays(now, offset))

beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  const col = await addUser(app, { email: 'colleague@example.cn', role: 'broker', name: 'Colleague' })
  accounts.setBrokerAreas(app.db, w.admin.id, col.id, [w.streetA.id])
  ;[member, other, broker, colleague, outsider, admin] = await Promise.all([
    signedIn(app, w.member.email),
    signedIn(app, w.other.email),
    signedIn(app, w.broker.email),
    signedIn(app, 'colleague@example.cn'),
    signedIn(app, w.broker2.email),
    signedIn(app, w.admin.email),
  ])
  visitor = new Browser(app)
})
afterAll(() => app.close())

const all = (score: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, score]))
function form(overrides: Record<string, string | undefined> = {}) {
  const scores = Object.fromEntries(INDICATOR_CODES.map((c) => [`score_${c}`, '3']))
  return {
    assessedOn: day(-30),
    withLeader: 'on',
    participants: '张阿姨（队长）',
    note: '第一次评估',
    note_mobilization: '会找居委会借场地',
    ...scores,
    ...overrides,
  }
}
/** An assessment of org A by the broker, through the service. */
const recordA = (scores: Scores, assessedOn: string, by = w.broker) =>
  capacity.record(app.db, reload(app, by), w.orgA.id, { assessedOn, scores, withLeader: true }, now)
const eventsOf = (id: number) =>
  app.db
    .select()
    .from(events)
    .where(and(eq(events.subjectType, 'capacity_assessment'), eq(events.subjectId, id)))
    .all()
const row = (id: number) => app.db.select().from(capacityAssessments).where(eq(capacityAssessments.id, id)).get()!

describe('recording an assessment', () => {
  it('a broker covering the organization records one: every score kept, dated, logged, shown on its own page', async () => {
    const res = await broker.post(`/orgs/${w.orgA.id}/capacity`, form({ score_reach: '5', note_reach: '覆盖两个小区' }))
    expect(res.statusCode).toBe(303)
    const id = Number(res.headers.location!.split('/').pop())
    expect(res.headers.location).toBe(`/capacity/${id}`)
    const a = capacity.get(app.db, id)!
    expect(a).toMatchObject({
      orgId: w.orgA.id,
      assessorId: w.broker.id,
      assessedOn: day(-30),
      withLeader: true,
      participants: '张阿姨（队长）',
      version: 1,
    })
    expect(Object.keys(a.scores).sort()).toEqual([...INDICATOR_CODES].sort())
    expect(a.scores.reach).toBe(5)
    expect(a.notes).toEqual({ mobilization: '会找居委会借场地', reach: '覆盖两个小区' })
    // Public service: (5 + 3 + 3) / 3 = 3.7 to one decimal.
    expect(a.dimensions.public_service).toBe(3.7)
    expect(eventsOf(id)).toMatchObject([
      { action: 'capacity.recorded', actorId: w.broker.id, data: { orgId: w.orgA.id, assessedOn: day(-30) } },
    ])

    const page = await broker.get(`/capacity/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('服务覆盖')
    expect(page.body).toContain('覆盖两个小区')
    expect(page.body).toContain('维度得分 3.7')
    expect(page.body).toContain('与组织负责人共同完成')
  })

  it('the form explains every indicator in one line and offers 1–5 for each, in English too', async () => {
    const zh = await broker.get(`/orgs/${w.orgA.id}/capacity/new`)
    expect(zh.statusCode).toBe(200)
    expect(zh.body).toContain('骨干传承')
    expect(zh.body).toContain('有新骨干成长起来，不依赖一两个人。')
    for (const code of INDICATOR_CODES)
      for (const v of [1, 2, 3, 4, 5]) expect(zh.body).toContain(`name="score_${code}" value="${v}"`)
    expect(zh.body).not.toMatch(/\sstyle="/)
    // A fresh form carries no problem notice.
    expect(zh.body).not.toContain('notice error')
    const en = await broker.get(`/orgs/${w.orgA.id}/capacity/new`, { 'accept-language': 'en' })
    expect(en.body).toContain('Core-member succession')
    expect(en.body).toContain('Done together with the organization')
  })
})

describe('validation: nothing written, the form comes back with what was typed', () => {
  const cases: [string, Record<string, string | undefined>, string, string][] = [
    ['a score of 0', { score_funding: '0' }, 'score_funding', '请为这一项选择 1 到 5 分。'],
    ['a score of 6', { score_reach: '6' }, 'score_reach', '请为这一项选择 1 到 5 分。'],
    ['a missing indicator', { score_stability: undefined }, 'score_stability', '请为这一项选择 1 到 5 分。'],
    ['a date in the future', { assessedOn: day(2) }, 'assessedOn', '评估日期不能晚于今天'],
    ['no date', { assessedOn: undefined }, 'assessedOn', '请填写此项。'],
    ['an impossible date', { assessedOn: '2026-02-30' }, 'assessedOn', '请输入日期'],
    ['201 characters of participants', { participants: '人'.repeat(201) }, 'participants', '最多 200 个字符'],
    ['a 501-character indicator note', { note_reach: '字'.repeat(501) }, 'note_reach', '最多 500 个字符'],
    ['a 2001-character overall note', { note: '字'.repeat(2001) }, 'note', '最多 2000 个字符'],
  ]
  for (const [what, change, field, message] of cases) {
    it(`${what} → 422 with the message beside the field`, async () => {
      const before = tableCounts(app)
      const typed = field === 'participants' ? change.participants! : '王大爷 <b>'
      const res = await broker.post(`/orgs/${w.orgA.id}/capacity`, form({ participants: '王大爷 <b>', ...change }))
      expect(res.statusCode).toBe(422)
      expect(fieldError(res.body, field)).toContain(message)
      expect(res.body).toContain(`value="${typed.replace('<', '&lt;').replace('>', '&gt;')}"`)
      expect(tableCounts(app)).toEqual(before)
    })
  }

  it('answers in English for an English reader', async () => {
    const res = await broker.post(`/orgs/${w.orgA.id}/capacity`, form({ score_funding: '9' }), {
      headers: { 'accept-language': 'en' },
    })
    expect(res.statusCode).toBe(422)
    expect(fieldError(res.body, 'score_funding')).toBe('Choose a score from 1 to 5 for this indicator.')
  })

  it('an htmx submission gets the form alone back, kept where it was', async () => {
    const res = await broker.post(`/orgs/${w.orgA.id}/capacity`, form({ score_funding: '0' }), {
      headers: { 'hx-request': 'true' },
    })
    expect(res.statusCode).toBe(422)
    expect(res.body).not.toMatch(/<html/)
    expect(res.body).toMatch(/^<form[^>]+id="capacity-form"/)
  })

  it('the service holds the same rules for any caller, and the database refuses a score outside 1–5', () => {
    const before = tableCounts(app)
    expect(() => recordA({ ...all(3), skills: 0 }, day(-1))).toThrow(ValidationError)
    expect(() => recordA({ ...all(3), skills: 2.5 }, day(-1))).toThrow(ValidationError)
    const { skills: _, ...missing } = all(3)
    expect(() => recordA(missing, day(-1))).toThrow(ValidationError)
    expect(() => recordA(all(3), day(1))).toThrow(ValidationError)
    expect(tableCounts(app)).toEqual(before)
    const a = recordA(all(3), day(-1))
    expect(() => app.sqlite.prepare('UPDATE capacity_scores SET score = 6 WHERE assessment_id = ?').run(a.id)).toThrow(
      /CHECK/,
    )
  })
})

describe('who may record, see and edit', () => {
  it('a broker outside the area, an organization leader and a visitor cannot record; nothing is written', async () => {
    const before = tableCounts(app)
    expect((await outsider.get(`/orgs/${w.orgA.id}/capacity/new`)).statusCode).toBe(403)
    const refused = await outsider.post(`/orgs/${w.orgA.id}/capacity`, form())
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('只有负责该社区的社工或管理员可以记录能力评估')
    expect((await member.post(`/orgs/${w.orgA.id}/capacity`, form())).statusCode).toBe(403)
    expect([401, 403]).toContain((await visitor.post(`/orgs/${w.orgA.id}/capacity`, form())).statusCode)
    expect((await broker.post('/orgs/999999/capacity', form())).statusCode).toBe(404)
    // The visitor's refused post answers with a sign-in form in place (nothing typed is lost), which holds an anonymous
    // session as GET /signin does; nothing else may be written.
    const after = tableCounts(app)
    delete before.sessions
    delete after.sessions
    expect(after).toEqual(before)
    // An admin records anywhere.
    expect((await admin.post(`/orgs/${w.orgB.id}/capacity`, form())).statusCode).toBe(303)
  })

  it('the organization, its brokers and admins see an assessment; another organization and visitors do not', async () => {
    const a = recordA(all(2), day(-20))
    for (const b of [member, broker, colleague, admin]) expect((await b.get(`/capacity/${a.id}`)).statusCode).toBe(200)
    for (const b of [other, outsider]) {
      const res = await b.get(`/capacity/${a.id}`)
      expect(res.statusCode).toBe(404)
      expect(res.body).not.toContain('能力评估')
      expect((await b.get(`/orgs/${w.orgA.id}/capacity`)).statusCode).toBe(404)
    }
    const anon = await visitor.get(`/capacity/${a.id}`)
    expect(anon.statusCode).toBe(303)
    expect(anon.headers.location).toMatch(/^\/signin/)
    for (const b of [visitor, other, outsider]) {
      const page = await b.get(`/orgs/${w.orgA.id}`)
      expect(page.statusCode).toBe(200)
      expect(page.body).not.toContain('id="capacity"')
      expect(page.body).not.toContain('cap-chart')
    }
  })

  it('the assessor edits (version checked, logged with what changed); another broker cannot; an admin can', async () => {
    const a = capacity.record(
      app.db,
      reload(app, w.broker),
      w.orgA.id,
      {
        assessedOn: day(-15),
        scores: all(2),
        withLeader: true,
        participants: '张阿姨',
        note: '初评',
        notes: { reach: '一个小区' },
      },
      now,
    )
    const edit = await broker.get(`/capacity/${a.id}/edit`)
    expect(edit.statusCode).toBe(200)
    expect(edit.body).toContain(`name="version" value="1"`)
    expect(edit.body).toMatch(/name="score_reach" value="2" checked/)

    // Every kind of field changed at once; the form leaves "with leader" unticked (the box is simply not sent).
    const saved = await broker.post(`/capacity/${a.id}`, {
      ...form({
        assessedOn: day(-16),
        version: '1',
        withLeader: undefined,
        participants: '张阿姨、李叔',
        note: '补记：场地问题已解决',
        score_reach: '4',
        note_reach: '',
        note_mobilization: undefined,
      }),
      ...Object.fromEntries(INDICATOR_CODES.filter((c) => c !== 'reach').map((c) => [`score_${c}`, '2'])),
      note_funding: '队员自掏腰包',
    })
    expect(saved.statusCode).toBe(303)
    expect(row(a.id)).toMatchObject({
      version: 2,
      assessedOn: day(-16),
      withLeader: false,
      participants: '张阿姨、李叔',
      note: '补记：场地问题已解决',
    })
    expect(capacity.get(app.db, a.id)!.scores.reach).toBe(4)
    const logged = eventsOf(a.id).filter((e) => e.action === 'capacity.updated')
    expect(logged).toHaveLength(1)
    expect(logged[0]!.actorId).toBe(w.broker.id)
    expect(logged[0]!.data).toEqual({
      orgId: w.orgA.id,
      assessedOn: day(-16),
      changes: [
        { field: 'assessedOn', from: day(-15), to: day(-16) },
        { field: 'withLeader', from: true, to: false },
        { field: 'participants', from: '张阿姨', to: '张阿姨、李叔' },
        { field: 'score_reach', from: 2, to: 4 },
        { field: 'note_reach', from: '一个小区', to: '' },
        { field: 'note_funding', from: '', to: '队员自掏腰包' },
        { field: 'note', from: '初评', to: '补记：场地问题已解决' },
      ],
    })

    // A colleague covering the same street sees it but did not assess it: refused, and nothing changes.
    expect((await colleague.get(`/capacity/${a.id}/edit`)).statusCode).toBe(403)
    const refused = await colleague.post(`/capacity/${a.id}`, form({ version: '2', score_reach: '1' }))
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('只有评估人本人或管理员可以修改')
    expect(capacity.get(app.db, a.id)!.scores.reach).toBe(4)
    expect((await outsider.post(`/capacity/${a.id}`, form({ version: '2' }))).statusCode).toBe(404)
    expect((await member.post(`/capacity/${a.id}`, form({ version: '2' }))).statusCode).toBe(403)

    expect(
      (await admin.post(`/capacity/${a.id}`, form({ assessedOn: day(-15), version: '2', score_reach: '5' })))
        .statusCode,
    ).toBe(303)
    expect(capacity.get(app.db, a.id)!.scores.reach).toBe(5)
    expect(eventsOf(a.id).map((e) => e.action)).toEqual(['capacity.recorded', 'capacity.updated', 'capacity.updated'])
    expect(eventsOf(a.id).at(-1)!.actorId).toBe(w.admin.id)
  })

  it('saving the form unchanged writes nothing: no new version, nothing logged', async () => {
    const a = capacity.record(
      app.db,
      reload(app, w.broker),
      w.orgA.id,
      { assessedOn: day(-9), scores: all(3), withLeader: true, participants: '张阿姨', notes: { reach: '两个小区' } },
      now,
    )
    const before = tableCounts(app)
    const same = await broker.post(`/capacity/${a.id}`, {
      ...form({
        assessedOn: day(-9),
        version: '1',
        participants: ' 张阿姨 ',
        note: undefined,
        note_mobilization: undefined,
      }),
      note_reach: '两个小区',
    })
    expect(same.statusCode).toBe(303)
    expect(row(a.id).version).toBe(1)
    expect(row(a.id).updatedAt).toBe(a.updatedAt)
    expect(tableCounts(app)).toEqual(before)
    expect(eventsOf(a.id).map((e) => e.action)).toEqual(['capacity.recorded'])
  })

  it('an edit without the version it was loaded at is refused (422, a clear notice), never saved blind', async () => {
    const a = recordA(all(3), day(-8))
    const res = await broker.post(`/capacity/${a.id}`, form({ assessedOn: day(-8), score_reach: '5' }))
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain(
      '<div class="notice error" role="alert"><p>这份表单不完整（缺少版本信息），请刷新页面后重新修改。</p>',
    )
    expect(capacity.get(app.db, a.id)!.scores.reach).toBe(3)
    expect(row(a.id).version).toBe(1)
    expect(eventsOf(a.id)).toHaveLength(1)
  })

  it('a stale edit is refused with 409 and the form kept; the newer scores stay', async () => {
    const a = recordA(all(3), day(-12))
    await broker.post(`/capacity/${a.id}`, form({ assessedOn: day(-12), version: '1', score_funding: '4' }))
    const stale = await broker.post(
      `/capacity/${a.id}`,
      form({ assessedOn: day(-12), version: '1', score_funding: '1', participants: '迟到的修改' }),
    )
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('在您编辑期间，别人已修改了这条记录')
    expect(stale.body).toContain('value="迟到的修改"')
    expect(capacity.get(app.db, a.id)!.scores.funding).toBe(4)
    expect(row(a.id).version).toBe(2)
    expect(eventsOf(a.id).filter((e) => e.action === 'capacity.updated')).toHaveLength(1)
  })
})
