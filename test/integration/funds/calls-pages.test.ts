import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { appForTest, Browser, count, fieldError, signedIn, tableCounts, type Form } from '../../helpers/app.js'
import { callsWorld, type CallsWorld } from './calls-world.js'

// The web's path through a call: open (draft, publish), apply (draft, co-leader's edit, submit), review (recusal,
// privacy of scores until an application is complete), decide — with each role's rights.
let app: FastifyInstance
let w: CallsWorld

beforeEach(async () => {
  app = await appForTest()
  w = await callsWorld(app)
})

const DEFAULT_CRITERIA = ['需求依据', '居民参与', '可行性', '预算合理', '可持续性']
const callForm = (extra: Form = {}): Form => ({
  holderOrgId: w.holderOrg.id,
  areaId: w.streetA.id,
  title: '东湖街道 2027 微创投',
  description: '支持社区团体的小项目',
  budget: '10,000',
  cap: '5000',
  preference: 'none',
  minTrust: 'self_declared',
  kinds: ['community_group'],
  conflictRule: 'member',
  criterionName: DEFAULT_CRITERIA,
  criterionWeight: ['20', '20', '20', '20', '20'],
  criterionGuide: ['', '', '', '', ''],
  applicationsClose: '2099-01-31',
  reviewClose: '2099-02-28',
  reviewers: 'rev2@example.cn',
  residents: 'rev1@example.cn',
  budgetTemplate: '场地\n物资',
  ...extra,
})

async function openCall(b: Browser, extra: Form = {}): Promise<number> {
  await b.get('/calls/new')
  const res = await b.post('/calls', callForm(extra))
  expect(res.statusCode, res.body.slice(0, 500)).toBe(303)
  const id = Number(res.headers.location!.toString().split('/').pop())
  const pub = await b.post(`/calls/${id}/publication`)
  expect(pub.statusCode).toBe(303)
  return id
}

const planForm = (orgId: number, extra: Form = {}): Form => ({
  orgId,
  title: '广场舞进社区',
  activity: '每周三晚教长者跳舞',
  beneficiaries: '社区长者',
  residentsPlanned: '40',
  lineItem: ['场地', '物资', ''],
  lineAsked: ['1500', '1000.50', ''],
  lineOwn: ['500', '', ''],
  msTitle: ['开班', '结项'],
  msDue: ['2099-03-01', '2099-06-30'],
  msShare: ['60', '40'],
  ...extra,
})

describe('opening a call on the site', () => {
  it('reads yuan into fen, keeps a draft private, publishes it with a public page and poster', async () => {
    const holder = await signedIn(app, w.holder.email)
    await holder.get('/calls/new')
    const created = await holder.post('/calls', callForm())
    expect(created.statusCode).toBe(303)
    const id = Number(created.headers.location!.toString().split('/').pop())
    expect(app.sqlite.prepare('SELECT budget_fen, cap_fen, published_at FROM fund_calls WHERE id = ?').get(id)).toEqual(
      { budget_fen: 1_000_000, cap_fen: 500_000, published_at: null },
    )
    expect(app.sqlite.prepare('SELECT user_id, resident FROM fund_reviewers ORDER BY resident').all()).toEqual([
      { user_id: w.rev2.id, resident: 0 },
      { user_id: w.rev1.id, resident: 1 },
    ])
    expect((await new Browser(app).get(`/calls/${id}`)).statusCode).toBe(404)
    expect((await (await signedIn(app, w.member.email)).get(`/calls/${id}`)).statusCode).toBe(404)
    await holder.post(`/calls/${id}/publication`)
    const page = await new Browser(app).get(`/calls/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('¥10,000.00')
    expect(page.body).toContain('¥5,000.00')
    // The panel's names are the holder side's business.
    expect(page.body).not.toContain('王阿姨')
    expect((await holder.get(`/calls/${id}`)).body).toContain('居民代表王阿姨')
    const poster = await new Browser(app).get(`/calls/${id}/poster`)
    expect(poster.statusCode).toBe(200)
    expect(poster.body).toContain(`/calls/${id}/qr.svg`)
    const qr = await new Browser(app).get(`/calls/${id}/qr.svg`)
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/)
    expect((await new Browser(app).get('/calls')).body).toContain('东湖街道 2027 微创投')
  })

  it('says what to fix: weights that do not add up, a cap over the budget, an amount that is not money; nothing written', async () => {
    const holder = await signedIn(app, w.holder.email)
    await holder.get('/calls/new')
    const before = tableCounts(app)
    const res = await holder.post(
      '/calls',
      callForm({ criterionWeight: ['30', '20', '20', '20', '20'], cap: '20000', budget: '1万' }),
    )
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('各项标准的权重合计须为 100%，现在是 110%。')
    expect(fieldError(res.body, 'budget')).toBe('请输入有效的金额（元，最多两位小数）。')
    expect(tableCounts(app)).toEqual(before)
  })

  it('lets only the holder side open a call: a group leader is told who can, and refused if they post anyway', async () => {
    const member = await signedIn(app, w.member.email)
    const page = await member.get('/calls/new')
    expect(page.body).toContain('id="no-holder"')
    expect(page.body).not.toContain('id="call-form"')
    expect((await member.post('/calls', callForm())).statusCode).toBe(403)
    expect(count(app, 'fund_calls')).toBe(0)
    const broker = await signedIn(app, w.broker.email)
    expect((await broker.get('/calls/new')).statusCode).toBe(200)
  })
})

describe('applying, reviewing and deciding on the site', () => {
  it('walks a call to its decision with each role in its place', async () => {
    const holder = await signedIn(app, w.holder.email)
    const id = await openCall(holder)
    const member = await signedIn(app, w.member.email)
    // The apply form starts from the template's lines.
    const form = await member.get(`/calls/${id}/applications/new?org=${w.orgA.id}`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="场地"')
    // Over the cap: refused with the amounts.
    const over = await member.post(
      `/calls/${id}/applications`,
      planForm(w.orgA.id, { lineAsked: ['4000', '1000.01', ''], action: 'submit' }),
    )
    expect(over.statusCode).toBe(422)
    expect(over.body).toContain('申请总额 ¥5,000.01 超过了单个项目上限 ¥5,000.00')
    const draft = await member.post(`/calls/${id}/applications`, planForm(w.orgA.id, { action: 'save' }))
    expect(draft.statusCode).toBe(303)
    const appA = Number(draft.headers.location!.toString().split('/').pop())
    expect(
      app.sqlite.prepare('SELECT status, asked_fen, own_fen FROM fund_applications WHERE id = ?').get(appA),
    ).toEqual({ status: 'draft', asked_fen: 250_050, own_fen: 50_000 })
    // A draft is not reviewed; a broker sees it but cannot apply.
    const broker = await signedIn(app, w.broker.email)
    expect((await broker.get(`/applications/${appA}`)).statusCode).toBe(200)
    expect((await broker.get(`/calls/${id}/applications/new?org=${w.orgA.id}`)).statusCode).toBe(403)
    expect((await (await signedIn(app, w.other.email)).get(`/applications/${appA}`)).statusCode).toBe(404)
    // The co-leader submits it.
    const co = await signedIn(app, w.coLeader.email)
    const edit = await co.get(`/applications/${appA}/edit`)
    expect(edit.statusCode).toBe(200)
    const version = edit.body.match(/name="version" value="(\d+)"/)![1]
    const submitted = await co.post(
      `/applications/${appA}`,
      planForm(w.orgA.id, { version, action: 'submit', title: '广场舞进社区（修订）' }),
    )
    expect(submitted.statusCode).toBe(303)
    expect(app.sqlite.prepare('SELECT status, title FROM fund_applications WHERE id = ?').get(appA)).toEqual({
      status: 'submitted',
      title: '广场舞进社区（修订）',
    })
    // rev2 belongs to org A: recused at submission, automatically.
    expect(
      app.sqlite
        .prepare('SELECT reviewer_id, recused, recuse_reason FROM fund_reviews WHERE application_id = ?')
        .all(appA),
    ).toEqual([{ reviewer_id: w.rev2.id, recused: 1, recuse_reason: 'member' }])
    const other2 = await signedIn(app, w.other2.email)
    await other2.get(`/calls/${id}/applications/new?org=${w.orgC.id}`)
    const c = await other2.post(
      `/calls/${id}/applications`,
      planForm(w.orgC.id, { title: '亲子共读', lineAsked: ['3000', '0', ''], action: 'submit' }),
    )
    expect(c.statusCode).toBe(303)
    const appC = Number(c.headers.location!.toString().split('/').pop())

    // rev1 scores A; the panel shows A's scores (complete: rev2 stepped aside) but not C's, which waits for rev2.
    const rev1 = await signedIn(app, w.rev1.email)
    const critIds = app.sqlite
      .prepare('SELECT id FROM fund_criteria WHERE call_id = ? ORDER BY position')
      .pluck()
      .all(id) as number[]
    const page = await rev1.get(`/applications/${appA}`)
    expect(page.body).toContain('id="review-form"')
    const scoresA = Object.fromEntries(critIds.map((cid, i) => [`score-${cid}`, String([5, 4, 4, 3, 4][i])]))
    const missing = await rev1.post(`/applications/${appA}/reviews`, { [`score-${critIds[0]}`]: '5' })
    expect(missing.statusCode).toBe(422)
    expect(missing.body).toContain('请为每项标准评分，尚缺：居民参与、可行性、预算合理、可持续性。')
    expect((await rev1.post(`/applications/${appA}/reviews`, { ...scoresA, note: '需求清楚' })).statusCode).toBe(303)
    // Before C is complete, rev1 has not answered everything: no panel page for them.
    expect((await rev1.get(`/calls/${id}/panel`)).statusCode).toBe(403)
    expect(
      (
        await rev1.post(
          `/applications/${appC}/reviews`,
          Object.fromEntries(critIds.map((cid) => [`score-${cid}`, '3'])),
        )
      ).statusCode,
    ).toBe(303)
    const partial = await holder.get(`/calls/${id}/panel`)
    expect(partial.statusCode).toBe(200)
    // A: 0.2 × (5+4+4+3+4) = 4.00, shown with rev1's name; C waits for rev2, so its 3s are nowhere.
    expect(partial.body).toContain('加权平均分 4.00')
    const cCard = partial.body.slice(partial.body.indexOf(`id="panel-${appC}"`))
    expect(cCard.slice(0, cCard.indexOf('</div>'))).not.toContain('加权平均分')
    expect(cCard.slice(0, cCard.indexOf('</div>'))).toContain('还有 1 位评审未提交')
    // The decision waits for the panel.
    const waiting = await holder.get(`/calls/${id}/decision`)
    expect(waiting.body).toContain('id="decision-waiting"')
    expect((await holder.post(`/calls/${id}/decision`)).statusCode).toBe(409)

    const rev2 = await signedIn(app, w.rev2.email)
    expect(
      (
        await rev2.post(
          `/applications/${appC}/reviews`,
          Object.fromEntries(critIds.map((cid) => [`score-${cid}`, '2'])),
        )
      ).statusCode,
    ).toBe(303)
    // rev2 cannot review A: their recusal stands.
    expect((await rev2.post(`/applications/${appA}/reviews`, scoresA)).statusCode).toBe(409)

    const proposal = await holder.get(`/calls/${id}/decision`)
    expect(proposal.body).toContain('id="confirm-decision"')
    expect(proposal.body).toContain('总预算 ¥10,000.00，每个项目不超过 ¥5,000.00。')
    const member2 = await signedIn(app, w.member.email)
    expect((await member2.get(`/calls/${id}/decision`)).statusCode).toBe(403)
    expect((await member2.post(`/calls/${id}/decision`)).statusCode).toBe(403)
    const confirmed = await holder.post(`/calls/${id}/decision`)
    expect(confirmed.statusCode).toBe(303)
    expect(
      app.sqlite.prepare('SELECT application_id, amount_fen FROM fund_awards ORDER BY application_id').all(),
    ).toEqual([
      { application_id: appA, amount_fen: 250_050 },
      { application_id: appC, amount_fen: 300_000 },
    ])
    expect((await holder.get(`/calls/${id}/decision`)).body).toContain('id="decision-confirmed"')
    // The applicant sees its means per criterion, never a reviewer's name against scores.
    const result = await member2.get(`/applications/${appA}`)
    expect(result.body).toContain('加权平均分 4.00')
    expect(result.body).toContain('获得资助 ¥2,500.50')
    expect(result.body).not.toContain('王阿姨')
    expect(count(app, 'fund_decisions')).toBe(1)
  })

  it('refuses a group outside the call area at submission with the reason in words, and a withdrawn application is not reviewed', async () => {
    const holder = await signedIn(app, w.holder.email)
    const id = await openCall(holder)
    const other = await signedIn(app, w.other.email)
    const page = await other.get(`/calls/${id}`)
    expect(page.body).toContain('团体所在地区不在这个资助计划的范围内。')
    expect((await other.get(`/calls/${id}/applications/new?org=${w.orgB.id}`)).statusCode).toBe(200)
    const res = await other.post(`/calls/${id}/applications`, planForm(w.orgB.id, { action: 'submit' }))
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('团体所在地区不在这个资助计划的范围内。')
    const member = await signedIn(app, w.member.email)
    await member.get(`/calls/${id}`)
    const a = await member.post(`/calls/${id}/applications`, planForm(w.orgA.id, { action: 'submit' }))
    const appA = Number(a.headers.location!.toString().split('/').pop())
    await member.get(`/applications/${appA}`)
    expect((await member.post(`/applications/${appA}/withdrawal`)).statusCode).toBe(303)
    const rev1 = await signedIn(app, w.rev1.email)
    expect((await rev1.get(`/applications/${appA}`)).statusCode).toBe(404)
    expect((await rev1.get(`/calls/${id}`)).body).not.toContain(`queue-${appA}`)
  })

  it('locks an application once a reviewer has scored it', async () => {
    const holder = await signedIn(app, w.holder.email)
    const id = await openCall(holder, { reviewers: 'rev1@example.cn', residents: '' })
    const member = await signedIn(app, w.member.email)
    await member.get(`/calls/${id}`)
    const a = await member.post(`/calls/${id}/applications`, planForm(w.orgA.id, { action: 'submit' }))
    const appA = Number(a.headers.location!.toString().split('/').pop())
    const rev1 = await signedIn(app, w.rev1.email)
    const critIds = app.sqlite.prepare('SELECT id FROM fund_criteria WHERE call_id = ?').pluck().all(id) as number[]
    await rev1.get(`/applications/${appA}`)
    await rev1.post(`/applications/${appA}/reviews`, Object.fromEntries(critIds.map((c) => [`score-${c}`, '4'])))
    expect((await member.get(`/applications/${appA}/edit`)).statusCode).toBe(303)
    const res = await member.post(`/applications/${appA}`, planForm(w.orgA.id, { version: '1', action: 'save' }))
    expect(res.statusCode).toBe(409)
  })
})
