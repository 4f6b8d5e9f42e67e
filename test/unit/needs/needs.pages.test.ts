import { describe, expect, it } from 'vitest'
import {
  assistedNeedFormView,
  needPageView,
  type loadAssistedNeedForm,
  type NeedPage,
} from '../../../src/needs/needs.pages.js'

const match = (remaining: number) => ({ offer: { id: remaining, remaining }, score: 80, reasons: [] })

/** A need's page data as loadNeedPage gathers it, with what the view decides on set per case. */
function page(
  over: Partial<NeedPage> & { status?: string; remaining?: number; enteredBy?: number | null } = {},
): NeedPage {
  const { status = 'open', remaining = 10, enteredBy = null, ...rest } = over
  const need = { id: 1, title: '雨季室内排练场地', status, remaining, enteredBy }
  return {
    need,
    owner: false,
    broker: false,
    today: '2026-12-06',
    active: true,
    matches: [match(4), match(30)],
    total: 2,
    whyNot: undefined,
    progress: [],
    shown: { ...need, scheduleText: '', areaLabel: '', topicList: [] },
    categoryNames: {},
    share: {},
    help: {},
    ...rest,
  } as unknown as NeedPage
}

describe('needPageView: what a need page offers to whom', () => {
  it("lets the need's group request one of the offers listed, and shows it the close and renew forms", () => {
    const view = needPageView(page({ owner: true }), 'idem-1')
    expect(view).toMatchObject({
      canRequest: true,
      canPropose: false,
      form: true,
      owner: true,
      met: false,
      idem: 'idem-1',
    })
  })

  it('gives a visitor neither buttons nor forms', () => {
    expect(needPageView(page(), 'x')).toMatchObject({ canRequest: false, canPropose: false, form: false })
  })

  it('lets a covering broker propose and see the forms, but not request for the group', () => {
    expect(needPageView(page({ broker: true }), 'x')).toMatchObject({ canRequest: false, canPropose: true, form: true })
  })

  it('asks nothing more for an ended or draft need: no request, no proposal', () => {
    expect(needPageView(page({ owner: true, broker: true, active: false }), 'x')).toMatchObject({
      canRequest: false,
      canPropose: false,
      form: true,
    })
  })

  it('has nothing to request when no offer fits', () => {
    expect(needPageView(page({ owner: true, matches: [], total: 0 }), 'x').canRequest).toBe(false)
  })

  it('marks a met need as met', () => {
    expect(needPageView(page({ status: 'met', matches: [], active: false }), 'x')).toMatchObject({
      met: true,
      canRequest: false,
    })
  })

  it('offers each match at most what the need still lacks and the offer has left', () => {
    expect(needPageView(page({ remaining: 10 }), 'x').matches.map((m) => m.quantity)).toEqual([4, 10])
  })

  it('says a draft entered for a group awaits its confirmation', () => {
    expect(needPageView(page({ status: 'draft', enteredBy: 9 }), 'x').awaiting).toBe(true)
    expect(needPageView(page({ status: 'draft' }), 'x').awaiting).toBe(false)
  })
})

describe('assistedNeedFormView: 代填, a need a broker enters for a group', () => {
  it('names the group it is entered for and starts the form at that group and its area, nothing to fix yet', () => {
    const org = { id: 8, name: '夕阳红合唱团', areaId: 80 }
    const data = {
      org,
      values: { orgId: 8, areaId: 80, urgency: 'normal' },
      form: { topicChips: {}, categories: [], myOrgs: [org], areaOptions: [] },
    } as unknown as NonNullable<ReturnType<typeof loadAssistedNeedForm>>
    const v = assistedNeedFormView(data, 'zh-CN')
    expect(v.assisting).toBe(org)
    expect(v.values).toMatchObject({ orgId: 8, areaId: 80 })
    expect([v.myOrgs, v.errors, v.form]).toEqual([[org], {}, true])
  })
})
