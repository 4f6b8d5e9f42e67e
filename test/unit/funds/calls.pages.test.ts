import { describe, expect, it } from 'vitest'
import type { Call } from '../../../src/funds/calls.js'
import {
  callFormView,
  callsView,
  callView,
  decisionView,
  panelView,
  reasonText,
  type loadCall,
  type loadCalls,
  type loadDecision,
  type loadPanel,
} from '../../../src/funds/calls.pages.js'

/** Keys and their parameters, so an assertion sees which words were asked for with what. */
const t = (key: string, params?: Record<string, unknown>) => (params ? `${key}${JSON.stringify(params)}` : key)

const call = (extra: Partial<Call> = {}): Call =>
  ({
    id: 7,
    ref: null,
    holderOrgId: 3,
    areaId: 2,
    title: '东湖微创投',
    description: '',
    budgetFen: 1_000_000,
    capFen: 300_000,
    minAwardFen: null,
    preference: 'none',
    reserveFen: 0,
    minTrust: 'self_declared',
    kinds: ['community_group'],
    focus: ['elderly'],
    conflictRule: 'member',
    budgetTemplate: [],
    applicationsClose: '2026-12-01',
    reviewClose: '2026-12-15',
    publishedAt: '2026-11-01T00:00:00.000Z',
    announcedAt: null,
    objectionsUntil: null,
    closedAt: null,
    createdBy: 1,
    createdAt: '2026-10-01T00:00:00.000Z',
    updatedAt: '2026-10-01T00:00:00.000Z',
    version: 1,
    ...extra,
  }) as Call

const reviewers = [
  { userId: 11, name: '评审张老师', email: 'z@example.cn', resident: false },
  { userId: 12, name: '居民代表', email: 'r@example.cn', resident: true },
]

function callData(extra: Partial<ReturnType<typeof loadCall>> = {}): ReturnType<typeof loadCall> {
  return {
    call: call(),
    access: { manage: false, review: false },
    stage: 'open',
    area: { name: '东湖街道', nameEn: 'Donghu Street' } as never,
    holderName: '东湖街道办事处',
    criteria: [],
    reviewers,
    groups: [],
    mine: [],
    queue: [],
    decision: undefined,
    ...extra,
  } as ReturnType<typeof loadCall>
}

describe('the call page', () => {
  it("names the panel's reviewers only to those who run the call; everyone else learns how many", () => {
    const visitor = callView(callData(), t, 'zh-CN', 'https://x.cn/')
    expect(visitor.reviewers).toEqual([])
    expect(visitor.reviewerCount).toBe(2)
    const holder = callView(callData({ access: { manage: true, review: false } }), t, 'zh-CN', 'https://x.cn/')
    expect(holder.reviewers.map((r) => r.name)).toEqual(['评审张老师', '居民代表'])
  })

  it('offers the share links only once the call is published, at the site address without a doubled slash', () => {
    expect(callView(callData({ call: call({ publishedAt: null }) }), t, 'zh-CN', 'https://x.cn/').share).toBeUndefined()
    expect(callView(callData(), t, 'zh-CN', 'https://x.cn//').share).toEqual({
      url: 'https://x.cn/calls/7',
      qr: '/calls/7/qr.svg',
      poster: '/calls/7/poster',
    })
  })

  it("says in words why a leader's group may not apply, and labels the area in the reader's language", () => {
    const groups = [{ id: 5, name: '广场舞队', reasons: ['trust', 'kind'] }] as ReturnType<typeof loadCall>['groups']
    const v = callView(callData({ groups }), t, 'en', '')
    expect(v.groups[0].reasonText).toBe('funds.ineligible.trust funds.ineligible.kind')
    expect(v.areaLabel).toBe('Donghu Street')
    expect(v.kindsText).toBe('kind.community_group')
  })

  it('shows the awards once decided, and a partial decision taken all or nothing says so', () => {
    const awards = [
      {
        application: 1,
        orgId: 5,
        orgName: 'A',
        title: 'p',
        askedFen: 100,
        ownFen: 0,
        amountFen: 100,
        score: 4,
        preferred: false,
      },
    ]
    const decided = {
      awards,
      notAwarded: [],
      totalFen: 100,
      decidedAt: 'x',
      decidedBy: 1,
      problem: { partialDropped: true },
    }
    const v = callView(callData({ call: call({ minAwardFen: 50_000 }), decision: decided }), t, 'zh-CN', '')
    expect(v.awards).toBe(awards)
    expect(v.problem[1]).toMatch(/^funds\.problem\.partial_dropped/)
    expect(callView(callData({ call: call({ minAwardFen: 50_000 }) }), t, 'zh-CN', '').problem[1]).toMatch(
      /^funds\.problem\.partial\{/,
    )
  })
})

describe('the calls list', () => {
  it('sorts calls into their stages, each with its area named', () => {
    const c = (id: number, stage: string) => ({
      ...call({ id }),
      stage,
      areaName: '东湖',
      areaNameEn: null,
      holderName: 'h',
      decided: 0,
      applications: 0,
    })
    const d = {
      calls: [c(1, 'draft'), c(2, 'open'), c(3, 'decided'), c(4, 'open')],
      canOpen: true,
      panels: [],
    } as unknown as ReturnType<typeof loadCalls>
    const v = callsView(d, t, 'en')
    expect([v.drafts, v.open, v.review, v.decided].map((list) => list.map((x) => x.id))).toEqual([[1], [2, 4], [], [3]])
    expect(v.open[0].areaLabel).toBe('东湖')
  })
})

const award = (application: number, askedFen: number, amountFen: number, preferred = false) => ({
  application,
  orgId: application,
  orgName: `g${application}`,
  title: 't',
  askedFen,
  ownFen: 1_000,
  amountFen,
  score: 3.456,
  preferred,
})

describe('the decision page', () => {
  it('counts, for a confirmed decision, what every candidate in the running asked — not the unreviewed or ineligible', () => {
    const done = {
      awards: [award(1, 300_000, 300_000, true), award(2, 200_000, 150_000)],
      totalFen: 450_000,
      decidedAt: '2026-12-20',
      decidedBy: 1,
      problem: {},
      notAwarded: [
        {
          application: 3,
          orgName: 'c',
          title: 't',
          reason: 'budget' as const,
          score: 2.5,
          detail: { askedFen: 90_000 },
        },
        {
          application: 4,
          orgName: 'd',
          title: 't',
          reason: 'not_reviewed' as const,
          score: null,
          detail: { askedFen: 70_000 },
        },
        {
          application: 5,
          orgName: 'e',
          title: 't',
          reason: 'not_eligible' as const,
          score: null,
          detail: { askedFen: 60_000, reasons: ['trust'] },
        },
      ],
    }
    const v = decisionView({ call: call({ reserveFen: 100_000 }), done } as ReturnType<typeof loadDecision>, t)
    expect(v.decided).toBe(true)
    expect(v.ready).toBe(true)
    expect(v.totals).toEqual({
      budgetFen: 1_000_000,
      awardedFen: 450_000,
      remainingFen: 550_000,
      reserveFen: 100_000,
      preferredFen: 300_000,
      askedFen: 590_000,
      ownFen: 2_000,
    })
    expect(v.awards.map((a) => [a.scoreText, a.partial])).toEqual([
      ['3.46', false],
      ['3.46', true],
    ])
    expect(v.notAwarded.map((n) => n.scoreText)).toEqual(['2.50', '—', '—'])
    expect(v.notAwarded[2].why).toBe('funds.reason.not_eligible{"why":"funds.ineligible.trust"}')
  })

  it('shows a proposal with its own totals, not ready while the panel is out', () => {
    const totals = {
      budgetFen: 1,
      awardedFen: 2,
      remainingFen: 3,
      preferredFen: 4,
      reserveFen: 5,
      askedFen: 6,
      ownFen: 7,
    }
    const proposal = {
      awards: [],
      notAwarded: [],
      totalFen: 0,
      ready: false,
      panelComplete: false,
      totals,
      partialDropped: false,
    }
    const v = decisionView({ call: call(), proposal } as unknown as ReturnType<typeof loadDecision>, t)
    expect([v.decided, v.ready, v.panelComplete, v.totals]).toEqual([false, false, false, totals])
  })
})

describe('the decision reasons in words', () => {
  it('gives a budget refusal its score, the lowest awarded score and the money as yuan', () => {
    const why = reasonText(t, {
      reason: 'budget',
      score: 2,
      detail: { lowestAwardedScore: 3.1, remainingFen: 12_345, askedFen: 50_000 },
    })
    expect(why).toBe('funds.reason.budget{"score":"2.00","lowest":"3.10","remaining":"¥123.45","asked":"¥500.00"}')
    expect(reasonText(t, { reason: 'budget', score: null, detail: {} })).toContain('"score":"—","lowest":"—"')
  })
})

describe('the panel', () => {
  it('shows a dash for what an incomplete line does not yet have, and counts the reviewers still to answer', () => {
    const line = {
      application: { id: 1 },
      complete: false,
      score: null,
      min: null,
      max: null,
      std: null,
      perCriterion: [],
      reviews: [],
      answered: [{ state: 'scored' }, { state: 'waiting' }, { state: 'waiting' }, { state: 'recused' }],
    }
    const done = {
      ...line,
      complete: true,
      score: 3.5,
      min: 3,
      max: 4,
      std: 0.5,
      answered: [],
      reviews: [{ weighted: 3.25 }],
    }
    const panel = { call: call(), criteria: [], reviewers: [], lines: [line, done], complete: false }
    const v = panelView({ call: call(), manage: true, panel } as unknown as ReturnType<typeof loadPanel>, t)
    expect(v.lines.map((l) => [l.scoreText, l.spreadText, l.stdText, l.waiting])).toEqual([
      ['—', '—', '—', 2],
      ['3.50', '3.00–4.00', '0.50', 0],
    ])
    expect(v.lines[1].reviews[0].weightedText).toBe('3.25')
  })
})

describe('the call form', () => {
  it('sends someone with no holder to open a call for to the page that says who can', () => {
    expect(callFormView({ holders: [], areaOptions: [] }, {}, {}, t)).toEqual({
      page: 'funds/no-holder',
      data: { title: 'funds.new.title' },
    })
  })

  it('pads the criteria to seven rows, keeps the typed ones first and shows problems only when there are some', () => {
    const d = { holders: [{ id: 3, name: 'h', areaId: 2 }], areaOptions: [] } as unknown as Parameters<
      typeof callFormView
    >[0]
    const typed = callFormView(d, { criteria: [{ name: '需求', weight: 60, guide: '' }] }, {}, t, 7)
    const values = typed.data.values as { criteria: { name: string }[] }
    expect(values.criteria.map((c) => c.name)).toEqual(['需求', '', '', '', '', '', ''])
    expect(typed.data.title).toBe('funds.edit.title')
    expect(typed.data.errors).toBeUndefined()
    const refused = callFormView(d, {}, { title: { key: 'validation.required' } }, t)
    expect(refused.data.errors).toEqual({ title: { key: 'validation.required' } })
    expect((refused.data.values as { criteria: unknown[] }).criteria.length).toBeGreaterThanOrEqual(7)
  })
})
