import { describe, expect, it } from 'vitest'
import { offerPageView, type OfferPage } from '../../../src/offers/offers.pages.js'

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
