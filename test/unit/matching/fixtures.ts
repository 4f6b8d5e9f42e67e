import type { NeedView, OfferView, OrgView } from '../../../src/matching/types.js'

export function org(over: Partial<OrgView> = {}): OrgView {
  return {
    id: 1,
    name: 'Sunshine opera club',
    trust: 'self_declared',
    focus: ['elderly'],
    matchesReceived: 0,
    members: 20,
    ...over,
  }
}

/** A venue need for rehearsals in community 12 of street 2 of district 1, Tuesday and Thursday evenings. */
export function need(over: Partial<NeedView> = {}): NeedView {
  const o = over.org ?? org(over.orgId ? { id: over.orgId } : {})
  return {
    id: 1,
    orgId: o.id,
    org: o,
    category: 'venue',
    unit: 'hours',
    quantity: 10,
    from: '2025-03-01',
    until: '2025-05-31',
    schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
    areaPath: [1, 2, 12],
    urgency: 'normal',
    beneficiaries: 30,
    createdAt: '2025-02-01T09:00:00Z',
    topics: ['rehearsal_space'],
    keywords: ['排练', '音响'],
    ...over,
  }
}

/** A venue for rehearsals serving street 2, any time, 10 hours. */
export function offer(over: Partial<OfferView> = {}): OfferView {
  return {
    id: 1,
    orgId: 900,
    orgName: 'Residents committee',
    category: 'venue',
    unit: 'hours',
    remaining: 10,
    quantity: 10,
    from: null,
    until: null,
    schedule: null,
    servesPath: [1, 2],
    minTrust: 'self_declared',
    focus: [],
    createdAt: '2025-01-15T09:00:00Z',
    track: { delivered: 0, rating: null },
    topics: ['rehearsal_space'],
    keywords: ['排练'],
    ...over,
  }
}
