import { describe, expect, it } from 'vitest'
import { bounds, median, offerInArea, report, type ReportInput } from '../../../src/reports/figures.js'

/**
 * A district built by hand: district /1/, street A /1/2/ with community /1/2/3/, street B /1/4/ with /1/4/5/.
 * The report is for street A in March 2026, China time (2026-02-28T16:00Z to 2026-03-31T16:00Z); rows outside
 * the street or the month are there to be left out.
 */
const A = '/1/2/'
const A1 = '/1/2/3/'
const B1 = '/1/4/5/'
const need = (id: number, o: Partial<ReportInput['needs'][number]>): ReportInput['needs'][number] => ({
  id,
  orgId: 1,
  category: 'venue',
  status: 'open',
  quantity: 10,
  remaining: 10,
  createdAt: '2026-03-10T08:00:00.000Z',
  areaPath: A1,
  closeReason: null,
  firstAcceptedAt: null,
  ...o,
})
const offer = (id: number, o: Partial<ReportInput['offers'][number]>): ReportInput['offers'][number] => ({
  id,
  category: 'venue',
  quantity: 10,
  status: 'open',
  expiresAt: null,
  createdAt: '2026-03-02T00:00:00.000Z',
  closedAt: null,
  servesPath: A1,
  ...o,
})

function district(): ReportInput {
  return {
    period: { from: '2026-03-01', to: '2026-03-31' },
    areaPath: A,
    now: new Date('2026-04-15T00:00:00Z'),
    answerDays: 3,
    categories: [
      { code: 'venue', unit: 'hours' },
      { code: 'funds', unit: 'yuan' },
      { code: 'training', unit: 'seats' },
    ],
    needs: [
      need(1, { orgId: 1, quantity: 10, remaining: 4, firstAcceptedAt: '2026-03-12T08:00:00.000Z' }), // 2 days
      // The first millisecond of 1 March in China; 10 days.
      need(2, {
        orgId: 2,
        quantity: 6,
        remaining: 0,
        createdAt: '2026-02-28T16:00:00.000Z',
        firstAcceptedAt: '2026-03-10T16:00:00.000Z',
      }),
      need(3, { orgId: 2, category: 'funds', quantity: 1000, remaining: 1000 }),
      // The last millisecond of 31 March in China; 60 days.
      need(4, {
        orgId: 3,
        category: 'funds',
        quantity: 500,
        remaining: 0,
        createdAt: '2026-03-31T15:59:59.999Z',
        firstAcceptedAt: '2026-05-30T15:59:59.999Z',
      }),
      need(5, { orgId: 3, createdAt: '2026-02-28T15:59:59.999Z' }), // 28 February in China
      need(6, { orgId: 3, createdAt: '2026-03-31T16:00:00.000Z' }), // 1 April in China
      need(7, { orgId: 4, areaPath: B1 }), // another street
      need(8, { orgId: 1, remaining: 10, firstAcceptedAt: '2026-03-10T07:00:00.000Z' }), // matched "before" posting (imported): 0 days
      need(9, { orgId: 4, quantity: 100, status: 'closed', closeReason: 'duplicate' }), // posted twice by mistake
      need(10, { orgId: 4, quantity: 100, status: 'draft' }), // not posted yet
    ],
    offers: [
      offer(1, { quantity: 20 }),
      offer(2, { createdAt: '2025-12-01T00:00:00.000Z', servesPath: '/1/' }), // district-wide and older, still open in March
      offer(3, { category: 'funds', quantity: 100, servesPath: B1 }), // street B only
      offer(4, { category: 'training', quantity: 8, createdAt: '2026-03-20T00:00:00.000Z', servesPath: A }),
      offer(5, {
        category: 'training',
        quantity: 8,
        status: 'closed',
        createdAt: '2026-01-20T00:00:00.000Z',
        closedAt: '2026-02-10T00:00:00.000Z',
        servesPath: A,
      }), // closed before
      offer(6, { quantity: 5, status: 'expired', expiresAt: '2026-02-27', createdAt: '2026-01-02T00:00:00.000Z' }), // expired before
      offer(7, { quantity: 7, createdAt: '2026-04-05T00:00:00.000Z' }), // posted after
      offer(8, { quantity: 4, status: 'draft' }),
      offer(9, { category: 'training', quantity: 6, status: 'closed', closedAt: '2026-03-05T00:00:00.000Z' }), // closed during March
    ],
    uses: [
      { offerId: 1, needAreaPath: A1, acceptedAt: '2026-03-05T00:00:00.000Z', quantity: 15 },
      { offerId: 1, needAreaPath: A1, acceptedAt: '2026-02-20T00:00:00.000Z', quantity: 2 }, // before the period
      { offerId: 2, needAreaPath: A1, acceptedAt: '2026-03-06T00:00:00.000Z', quantity: 3 },
      { offerId: 2, needAreaPath: B1, acceptedAt: '2026-03-07T00:00:00.000Z', quantity: 4 }, // used in street B
      { offerId: 4, needAreaPath: A1, acceptedAt: '2026-03-21T00:00:00.000Z', quantity: 6 },
    ],
    acceptances: [
      { needOrgId: 1, needAreaPath: A1, acceptedAt: '2026-03-12T08:00:00.000Z' },
      { needOrgId: 2, needAreaPath: A1, acceptedAt: '2026-03-11T00:00:00.000Z' },
      { needOrgId: 2, needAreaPath: A1, acceptedAt: '2026-03-15T00:00:00.000Z' }, // the same organization twice
      { needOrgId: 3, needAreaPath: A1, acceptedAt: '2026-03-16T00:00:00.000Z' }, // an unregistered individual: not a community group
      { needOrgId: 3, needAreaPath: A1, acceptedAt: '2026-05-30T15:59:59.999Z' }, // after the period
      { needOrgId: 4, needAreaPath: B1, acceptedAt: '2026-03-12T00:00:00.000Z' }, // another street
    ],
    requests: [
      {
        requestedAt: '2026-03-05T00:00:00.000Z',
        needAreaPath: A1,
        answeredAt: '2026-03-08T00:00:00.000Z',
        outcome: 'accepted',
      }, // exactly 3 days: in time
      {
        requestedAt: '2026-03-05T00:00:00.000Z',
        needAreaPath: A1,
        answeredAt: '2026-03-06T00:00:00.000Z',
        outcome: 'declined',
      }, // in time
      {
        requestedAt: '2026-03-05T00:00:00.000Z',
        needAreaPath: A1,
        answeredAt: '2026-03-08T00:00:00.001Z',
        outcome: 'accepted',
      }, // late
      { requestedAt: '2026-03-05T00:00:00.000Z', needAreaPath: A1, answeredAt: null, outcome: null }, // overdue by now
      {
        requestedAt: '2026-03-06T00:00:00.000Z',
        needAreaPath: A1,
        answeredAt: '2026-03-07T00:00:00.000Z',
        outcome: 'withdrawn',
      },
      { requestedAt: '2026-03-31T12:00:00.000Z', needAreaPath: A1, answeredAt: null, outcome: null }, // still due when "now" is 1 April
      { requestedAt: '2026-03-05T00:00:00.000Z', needAreaPath: B1, answeredAt: null, outcome: null }, // another street
      { requestedAt: '2026-02-05T00:00:00.000Z', needAreaPath: A1, answeredAt: null, outcome: null }, // before
    ],
    feedback: [
      { side: 'need', rating: 5, createdAt: '2026-03-20T00:00:00.000Z', needAreaPath: A1 },
      { side: 'need', rating: 4, createdAt: '2026-03-21T00:00:00.000Z', needAreaPath: A1 },
      { side: 'offer', rating: 2, createdAt: '2026-03-22T00:00:00.000Z', needAreaPath: A1 },
      { side: 'offer', rating: 1, createdAt: '2026-03-22T00:00:00.000Z', needAreaPath: B1 },
      { side: 'offer', rating: 1, createdAt: '2026-04-01T00:00:00.000Z', needAreaPath: A1 }, // 1 April, 08:00 in China
    ],
    orgs: [
      { id: 1, registered: false, kind: 'community_group' },
      { id: 2, registered: true, kind: 'community_group' },
      { id: 3, registered: false, kind: 'individual' },
      { id: 4, registered: false, kind: 'community_group' },
    ],
  }
}

describe('report figures for a hand-built district', () => {
  it('demand posted and met, by category, only for needs posted in the period and the area, duplicates aside', () => {
    expect(report(district()).demand).toEqual([
      { category: 'venue', unit: 'hours', needs: 3, posted: 26, met: 12, share: 12 / 26, fullyMet: 1 },
      { category: 'funds', unit: 'yuan', needs: 2, posted: 1500, met: 500, share: 500 / 1500, fullyMet: 1 },
    ])
  })

  it('median days to a first accepted match, the histogram, and the needs not matched yet', () => {
    const w = report(district()).waits
    expect(w.posted).toBe(5)
    expect(w.matched).toBe(4)
    expect(w.unmatched).toBe(1)
    // Waits 0, 2, 10 and 60 days.
    expect(w.medianDays).toBe(6)
    expect(w.buckets.map((b) => [b.from, b.upTo, b.count])).toEqual([
      [0, 1, 1],
      [1, 3, 1],
      [3, 7, 0],
      [7, 14, 1],
      [14, 30, 0],
    ])
    expect(w.beyond).toBe(1)
    expect(w.byCategory).toEqual([
      { category: 'venue', matched: 3, medianDays: 2 },
      { category: 'funds', matched: 1, medianDays: 60 },
    ])
  })

  it('requests answered within the deadline, counting only those answered or past due', () => {
    const input = district()
    input.now = new Date('2026-04-01T00:00:00Z')
    expect(report(input).requests).toEqual({
      total: 6,
      inTime: 2,
      late: 1,
      overdue: 1,
      pending: 1,
      withdrawn: 1,
      deadlineDays: 3,
      share: 2 / 4,
    })
    // A fortnight later the last request is overdue too.
    input.now = new Date('2026-04-15T00:00:00Z')
    expect(report(input).requests).toMatchObject({ overdue: 2, pending: 0, share: 2 / 5 })
  })

  it("offer utilization: offers open to the area in the period, and what went to the area's needs in the period", () => {
    expect(report(district()).utilization).toEqual([
      { category: 'venue', unit: 'hours', offers: 2, offered: 30, used: 18, share: 0.6, untouched: 0 },
      { category: 'training', unit: 'seats', offers: 2, offered: 14, used: 6, share: 6 / 14, untouched: 1 },
    ])
  })

  it("a district-wide offer counts as used only where it was used, so street reports never claim each other's use", () => {
    const b = district()
    b.areaPath = '/1/4/'
    expect(report(b).utilization).toEqual([
      { category: 'venue', unit: 'hours', offers: 1, offered: 10, used: 4, share: 0.4, untouched: 0 },
      { category: 'funds', unit: 'yuan', offers: 1, offered: 100, used: 0, share: 0, untouched: 1 },
    ])
    const district1 = district()
    district1.areaPath = '/1/'
    expect(report(district1).utilization[0]).toEqual({
      category: 'venue',
      unit: 'hours',
      offers: 2,
      offered: 30,
      used: 22,
      share: 22 / 30,
      untouched: 0,
    })
  })

  it('organizations asking and served, with the share of unregistered community groups among those served', () => {
    // Asking: orgs 1, 2, 3 posted in the period here (org 4's only need here was a duplicate). Served in March: 1, 2 and 3;
    // of those only org 1 is an unregistered community group (org 3 is an individual).
    expect(report(district()).orgs).toEqual({ asking: 3, served: 3, underResourced: 1, underResourcedShare: 1 / 3 })
  })

  it('feedback given in the period on needs here, by side and as a distribution', () => {
    const f = report(district()).feedback
    expect(f.count).toBe(3)
    expect(f.mean).toBeCloseTo(11 / 3, 12)
    expect(f.need).toEqual({ count: 2, mean: 4.5 })
    expect(f.offer).toEqual({ count: 1, mean: 2 })
    expect(f.distribution.map((d) => d.count)).toEqual([0, 1, 0, 1, 1])
  })

  it('an empty area gives zeros and no shares, never NaN', () => {
    const input = district()
    input.areaPath = '/9/'
    const r = report(input)
    expect(r.demand).toEqual([])
    expect(r.waits).toMatchObject({ posted: 0, matched: 0, medianDays: null })
    expect(r.requests.share).toBeNull()
    expect(r.orgs).toEqual({ asking: 0, served: 0, underResourced: 0, underResourcedShare: null })
    expect(r.feedback.mean).toBeNull()
    expect(JSON.stringify(r)).not.toContain('NaN')
  })
})

describe('check-ins in the report', () => {
  it('counts answers given in the period about needs in the area, and why arrangements ended', () => {
    const input = district()
    input.checkins = [
      { answeredAt: '2026-03-05T00:00:00.000Z', needAreaPath: A1, outcome: 'continues', reason: null },
      { answeredAt: '2026-03-06T00:00:00.000Z', needAreaPath: A1, outcome: 'continues', reason: null },
      { answeredAt: '2026-03-07T00:00:00.000Z', needAreaPath: A1, outcome: 'changed', reason: null },
      { answeredAt: '2026-03-08T00:00:00.000Z', needAreaPath: A1, outcome: 'ended', reason: 'holder_unwilling' },
      { answeredAt: '2026-02-28T15:59:59.999Z', needAreaPath: A1, outcome: 'ended', reason: 'poor_fit' }, // 28 February in China
      { answeredAt: '2026-03-09T00:00:00.000Z', needAreaPath: B1, outcome: 'ended', reason: 'need_gone' }, // another street
    ]
    const r = report(input)
    expect(r.checkins).toEqual({
      total: 4,
      continues: 2,
      changed: 1,
      ended: 1,
      endedBy: [
        { reason: 'need_gone', count: 0 },
        { reason: 'holder_unwilling', count: 1 },
        { reason: 'poor_fit', count: 0 },
        { reason: 'group_stopped', count: 0 },
      ],
    })
    expect(report(district()).checkins.total).toBe(0)
  })
})

describe('report helpers', () => {
  it('a period covers whole days in China time, both ends included', () => {
    expect(bounds({ from: '2026-03-01', to: '2026-03-31' })).toEqual([
      '2026-02-28T16:00:00.000Z',
      '2026-03-31T16:00:00.000Z',
    ])
    expect(bounds({ from: '2024-02-29', to: '2024-02-29' })).toEqual([
      '2024-02-28T16:00:00.000Z',
      '2024-02-29T16:00:00.000Z',
    ])
  })

  it('median of odd, even and empty lists', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNull()
  })

  it('an offer belongs to an area it serves inside, or one it covers, not a sibling', () => {
    expect(offerInArea('/1/2/', '/1/2/3/')).toBe(true)
    expect(offerInArea('/1/2/', '/1/')).toBe(true)
    expect(offerInArea('/1/2/', '/1/4/')).toBe(false)
    expect(offerInArea('/1/2/', '/1/22/')).toBe(false)
  })
})
