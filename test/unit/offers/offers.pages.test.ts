import { describe, expect, it } from 'vitest'
import { newOfferStart, offerPageView, type loadNewOffer, type OfferPage } from '../../../src/offers/offers.pages.js'

const t = (key: string) => (key === 'list.separator' ? ', ' : `[${key}]`)
const match = (remaining: number, covered = false) => ({
  need: { id: remaining, remaining },
  score: 80,
  reasons: [],
  covered,
})

/** An offer's page data as loadOfferPage gathers it, with what the view decides on set per case. */
function page(over: Partial<OfferPage> & { status?: string; remaining?: number; focus?: string[] } = {}): OfferPage {
  const { status = 'open', remaining = 10, focus = [], ...rest } = over
  const offer = { id: 1, title: '周末借用排练厅', status, remaining, focus }
  return {
    offer,
    owner: false,
    broker: false,
    today: '2026-12-06',
    matches: [match(4, true), match(30, false)],
    total: 2,
    progress: [],
    shown: { ...offer, scheduleText: '', areaLabel: '', topicList: [] },
    categoryNames: {},
    share: {},
    help: {},
    ...rest,
  } as unknown as OfferPage
}

describe('offerPageView: what an offer page offers to whom', () => {
  it("lets the offer's group pledge and shows it the close and renew forms", () => {
    expect(offerPageView(page({ owner: true }), t, 'idem-1')).toMatchObject({
      canPledge: true,
      form: true,
      owner: true,
      idem: 'idem-1',
    })
  })

  it('gives a visitor no pledge and no forms', () => {
    expect(offerPageView(page(), t, 'x')).toMatchObject({ canPledge: false, form: false, owner: false })
  })

  it('shows a reaching broker the forms but does not let it pledge for the group', () => {
    expect(offerPageView(page({ broker: true }), t, 'x')).toMatchObject({ canPledge: false, form: true })
  })

  it('lets a broker propose only for needs in an area it covers, and never for an offer that is not open', () => {
    const open = offerPageView(page({ broker: true }), t, 'x')
    expect(open.matches.map((m) => m.canPropose)).toEqual([true, false])
    const closed = offerPageView(page({ broker: true, owner: true, status: 'closed' }), t, 'x')
    expect(closed.matches.map((m) => m.canPropose)).toEqual([false, false])
    expect(closed.canPledge).toBe(false)
  })

  it('does not hand the template the coverage flag it decided on', () => {
    expect(offerPageView(page(), t, 'x').matches[0]).not.toHaveProperty('covered')
  })

  it('offers each need at most what the offer has left and the need still lacks', () => {
    expect(offerPageView(page({ remaining: 10 }), t, 'x').matches.map((m) => m.quantity)).toEqual([4, 10])
  })

  it("names the offer's focus groups in the reader's words", () => {
    expect(offerPageView(page({ focus: ['youth', 'elderly'] }), t, 'x').offer.focusText).toBe(
      '[focus.youth], [focus.elderly]',
    )
    expect(offerPageView(page(), t, 'x').offer.focusText).toBe('')
  })
})

describe('newOfferStart: where a new offer starts', () => {
  const prospect = { name: '王阿姨', has: '折叠椅 20 把\n周末可借', category: 'equipment', areaId: 7 }
  const start = (over: Partial<ReturnType<typeof loadNewOffer>> = {}) =>
    newOfferStart({
      acting: [3],
      orgs: [{ id: 3, areaId: 30 }],
      orgId: undefined,
      give: undefined,
      invited: undefined,
      ...over,
    } as ReturnType<typeof loadNewOffer>)

  it('sends someone who acts for no group to register one first, carrying a live invitation along', () => {
    expect(start({ acting: [], orgs: [] })).toEqual({ expired: false, redirect: '/orgs/new?next=%2Foffers%2Fnew' })
    const invited = { prospect } as ReturnType<typeof loadNewOffer>['invited']
    expect(start({ acting: [], orgs: [], give: 'a b', invited }).redirect).toBe(
      '/orgs/new?next=%2Foffers%2Fnew&give=a%20b',
    )
  })

  it('says an invitation is used or expired, and carries a dead one nowhere', () => {
    const s = start({ acting: [], orgs: [], give: 'old' })
    expect(s).toEqual({ expired: true, redirect: '/orgs/new?next=%2Foffers%2Fnew' })
    expect(start({ give: 'old' })).toMatchObject({ expired: true, values: { orgId: 3, servesAreaId: 30 } })
  })

  it("fills the form from the invitation's prospect: the first line as the title, its area served", () => {
    const invited = { prospect } as ReturnType<typeof loadNewOffer>['invited']
    const { values } = start({ give: 'tok', invited })
    expect(values).toMatchObject({
      orgId: 3,
      title: '折叠椅 20 把',
      category: 'equipment',
      servesAreaId: 7,
      give: 'tok',
    })
  })
})
