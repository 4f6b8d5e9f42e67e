/** Small random instances for checking the allocator against exhaustive search and an independent solver. */
import { prng } from '../../../bench/lib/generate.js'
import type { NeedView, OfferView, OrgView, Trust } from '../../../src/matching/types.js'

const SCHEDULES = [
  null,
  'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
  'FREQ=WEEKLY;BYDAY=SA;BYHOUR=9,10',
  'FREQ=WEEKLY;BYDAY=TU,SA;BYHOUR=9,19',
]
const TRUST: Trust[] = ['self_declared', 'vouched', 'endorsed']

export function smallInstance(seed: number, { needs = 3, offers = 3, maxQuantity = 3, orgs = 3, categories = 1 } = {}) {
  const rand = prng(seed)
  // Topics from their own stream, so each seed's other fields are what they were before topics existed.
  const about = prng(seed ^ 0x70_91c5)
  const subject = () => {
    const r = about()
    return r < 0.45
      ? { topics: ['a'], keywords: ['x'] }
      : r < 0.8
        ? { topics: ['a', 'b'], keywords: ['x', 'y'] }
        : r < 0.9
          ? { topics: ['b'], keywords: ['y'] }
          : { topics: [], keywords: ['x'] }
  }
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  const orgViews: OrgView[] = Array.from({ length: orgs }, (_, k) => ({
    id: 10 + k,
    name: `org ${k}`,
    trust: pick(TRUST),
    focus: [pick(['elderly', 'children'])],
    matchesReceived: int(0, 8),
    members: rand() < 0.3 ? null : int(3, 80),
  }))
  const cats = ['venue', 'funds'].slice(0, categories)
  const needViews: NeedView[] = Array.from({ length: needs }, (_, k) => {
    const org = pick(orgViews)
    return {
      id: 100 + k,
      orgId: org.id,
      org,
      category: pick(cats),
      unit: 'hours',
      quantity: int(1, maxQuantity),
      from: null,
      until: null,
      schedule: pick(SCHEDULES),
      areaPath: [1, 2, pick([5, 6])],
      urgency: pick(['low', 'normal', 'high'] as const),
      beneficiaries: null,
      createdAt: `2025-01-0${int(1, 9)}T00:00:00Z`,
      ...subject(),
    }
  })
  const offerViews: OfferView[] = Array.from({ length: offers }, (_, k) => {
    const capacity = int(1, maxQuantity)
    return {
      id: 500 + k,
      orgId: 900,
      orgName: 'holder',
      category: pick(cats),
      unit: 'hours',
      remaining: capacity,
      quantity: capacity,
      from: null,
      until: null,
      schedule: pick(SCHEDULES),
      servesPath: pick([
        [1, 2],
        [1, 2, 5],
        [1, 2, 6],
      ]),
      minTrust: rand() < 0.8 ? 'self_declared' : 'vouched',
      focus: rand() < 0.8 ? [] : ['elderly'],
      createdAt: `2025-01-0${int(1, 9)}T00:00:00Z`,
      track: { delivered: int(0, 9), rating: rand() < 0.5 ? null : 3 + int(0, 2) },
      ...subject(),
    }
  })
  return { needs: needViews, offers: offerViews }
}

/** Fisher–Yates with our own PRNG, to show results do not depend on the order rows arrive in. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rand = prng(seed),
    out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
