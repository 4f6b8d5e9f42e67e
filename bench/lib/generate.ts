/**
 * Seeded, deterministic instances for tests and benches: one district, streets of communities, the seven
 * categories with their units and realistic quantity ranges, mostly small unregistered groups posting
 * needs, and holders whose offers serve a community or a whole street.
 */
import type { NeedView, OfferView, OrgView, Trust, Urgency } from '../../src/matching/types.js'
import { prng } from './prng.js'
export { prng }

export const CATEGORIES = [
  // share of posts, unit, typical quantity range of one need
  { category: 'venue', unit: 'hours', share: 0.22, min: 2, max: 40 },
  { category: 'volunteers', unit: 'person-hours', share: 0.2, min: 4, max: 80 },
  { category: 'funds', unit: 'yuan', share: 0.15, min: 500, max: 50_000 },
  { category: 'training', unit: 'seats', share: 0.13, min: 5, max: 40 },
  { category: 'equipment', unit: 'items', share: 0.12, min: 1, max: 30 },
  { category: 'expertise', unit: 'hours', share: 0.1, min: 2, max: 20 },
  { category: 'publicity', unit: 'items', share: 0.08, min: 50, max: 500 },
] as const

/** Topics per category in generated instances, coded `<category>.<k>`; each has its own small pool of words. */
export const TOPICS_PER_CATEGORY = 5
const WORDS_PER_TOPIC = 6

export const FOCUS_GROUPS = ['elderly', 'children', 'disability', 'culture', 'environment', 'migrants'] as const
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']
const PERIODS = [
  [9, 12],
  [14, 17],
  [18, 21],
] as const

export interface InstanceOptions {
  needs: number
  offers: number
  seed?: number
  streets?: number
  communitiesPerStreet?: number
  /** Total offer capacity per category as a share of total demand. */
  supplyRatio?: number
}

export interface Instance {
  needs: NeedView[]
  offers: OfferView[]
  /** street id → its community ids; the district is area 1. */
  streets: Map<number, number[]>
}

export function generateInstance({
  needs: needCount,
  offers: offerCount,
  seed = 1,
  streets: streetCount = 3,
  communitiesPerStreet = 4,
  supplyRatio = 0.9,
}: InstanceOptions): Instance {
  const rand = prng(seed)
  // Subjects draw from their own stream, so adding them left every other field of a seed's instance as it was.
  const subject = subjects(prng(seed ^ 0x70_91c5))
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  const chance = (p: number) => rand() < p
  const category = () => {
    let r = rand()
    for (const c of CATEGORIES) if ((r -= c.share) < 0) return c
    return CATEGORIES[0]
  }

  const streets = new Map<number, number[]>()
  const places: [number, number][] = []
  for (let s = 0; s < streetCount; s++) {
    const street = 2 + s
    const communities = Array.from({ length: communitiesPerStreet }, (_, k) => 100 + s * communitiesPerStreet + k)
    streets.set(street, communities)
    for (const c of communities) places.push([street, c])
  }

  const base = Date.UTC(2025, 2, 1)
  const isoDate = (days: number) => new Date(base + days * 86_400_000).toISOString().slice(0, 10)
  const isoTime = (minutes: number) => new Date(base + minutes * 60_000).toISOString()
  const window = (openShare: number, minLen: number, maxLen: number): [string | null, string | null] => {
    if (chance(openShare)) return [null, null]
    const from = int(0, 240)
    return [isoDate(from), isoDate(from + int(minLen, maxLen))]
  }

  const orgs: (OrgView & { place: [number, number] })[] = []
  for (let i = 0; i < Math.max(3, Math.round(needCount / 4)); i++) {
    const r = rand()
    orgs.push({
      id: 1 + i,
      name: `org ${1 + i}`,
      place: pick(places),
      trust: (r < 0.6 ? 'self_declared' : r < 0.9 ? 'vouched' : 'endorsed') as Trust,
      focus: [...new Set([pick(FOCUS_GROUPS), ...(chance(0.4) ? [pick(FOCUS_GROUPS)] : [])])],
      matchesReceived: Math.floor(rand() * rand() * 15),
      members: chance(0.2) ? null : 5 + Math.floor(rand() * rand() * 200),
    })
  }

  const demand = new Map<string, { quantity: number; count: number }>()
  const needs: NeedView[] = []
  for (let i = 0; i < needCount; i++) {
    const { place, ...org } = pick(orgs)
    const c = category()
    const [street, community] = chance(0.9) ? place : [place[0], pick(streets.get(place[0])!)]
    const quantity = roundFor(c.category, int(c.min, c.max))
    const [from, until] = window(0.5, 7, 90)
    let schedule: string | null = null
    if (!chance(0.35)) {
      const [lo, hi] = pick(PERIODS)
      const start = int(lo, hi - 1)
      const days = chance(0.5) ? [pick(DAYS)] : [...new Set([pick(DAYS), pick(DAYS)])]
      schedule = `FREQ=WEEKLY;BYDAY=${sortDays(days).join(',')};BYHOUR=${start}${chance(0.4) && start + 1 < hi ? `,${start + 1}` : ''}`
    }
    const r = rand()
    needs.push({
      id: 1 + i,
      orgId: org.id,
      org,
      category: c.category,
      unit: c.unit,
      quantity,
      from,
      until,
      schedule,
      areaPath: [1, street, community],
      urgency: (r < 0.2 ? 'high' : r < 0.8 ? 'normal' : 'low') as Urgency,
      beneficiaries: chance(0.3) ? null : int(5, 300),
      createdAt: isoTime(i * 7 + int(0, 6)),
      ...subject(c.category, 'need'),
    })
    const d = demand.get(c.category) ?? { quantity: 0, count: 0 }
    d.quantity += quantity
    demand.set(c.category, d)
  }

  // Share each category's demand over its offers, so supply tracks demand whatever the sizes.
  const offerCategories = Array.from({ length: offerCount }, () => category())
  const offersIn = new Map<string, number>()
  for (const c of offerCategories) offersIn.set(c.category, (offersIn.get(c.category) ?? 0) + 1)
  const holders = Math.max(3, Math.round(offerCount / 3))
  const offers: OfferView[] = offerCategories.map((c, i) => {
    const mean = ((demand.get(c.category)?.quantity ?? c.max) * supplyRatio) / offersIn.get(c.category)!
    const capacity = Math.max(1, roundFor(c.category, Math.round(mean * (0.3 + 1.4 * rand()))))
    const [street, community] = pick(places)
    const holder = 1_000_000 + int(1, holders)
    let schedule: string | null = null
    if (!chance(0.3)) {
      const [lo, hi] = pick(PERIODS)
      const days = sortDays([...new Set(Array.from({ length: int(2, 5) }, () => pick(DAYS)))])
      const hours = Array.from({ length: hi - lo + (chance(0.3) ? 3 : 0) }, (_, k) => lo + k).filter((h) => h < 24)
      schedule = `FREQ=WEEKLY;BYDAY=${days.join(',')};BYHOUR=${hours.join(',')}`
    }
    const [from, until] = window(0.6, 60, 300)
    const t = rand()
    return {
      id: 1 + i,
      orgId: holder,
      orgName: `holder ${holder}`,
      category: c.category,
      unit: c.unit,
      remaining: capacity,
      quantity: capacity,
      from,
      until,
      schedule,
      servesPath: chance(0.6) ? [1, street, community] : [1, street],
      minTrust: (t < 0.75 ? 'self_declared' : t < 0.93 ? 'vouched' : 'endorsed') as Trust,
      focus: chance(0.75) ? [] : [pick(FOCUS_GROUPS)],
      createdAt: isoTime(i * 7 + int(0, 6)),
      track: {
        delivered: Math.floor(rand() * rand() * 30),
        rating: chance(0.3) ? null : Math.round((3 + 2 * rand()) * 10) / 10,
      },
      ...subject(c.category, 'offer'),
    }
  })
  return { needs, offers, streets }
}

/**
 * What a generated listing is about: mostly one topic (an offer sometimes two), its words drawn from that
 * topic's pool; one in ten without a recognised topic but with words (fitting by the relevance floor or not);
 * a third of funding offers with no stated purpose, which fit any funds need.
 */
function subjects(rand: () => number) {
  const int = (n: number) => Math.floor(rand() * n)
  const words = (topic: string, n: number) => [
    ...new Set(Array.from({ length: n }, () => `${topic}:w${int(WORDS_PER_TOPIC)}`)),
  ]
  return (category: string, side: 'need' | 'offer'): { topics: string[]; keywords: string[] } => {
    if (side === 'offer' && category === 'funds' && rand() < 1 / 3) return { topics: [], keywords: [] }
    const first = `${category}.${int(TOPICS_PER_CATEGORY)}`
    if (rand() < 0.1) return { topics: [], keywords: words(first, 3) }
    const topics =
      side === 'offer' && rand() < 0.3 ? [...new Set([first, `${category}.${int(TOPICS_PER_CATEGORY)}`])] : [first]
    return { topics, keywords: topics.flatMap((t) => words(t, 2)) }
  }
}

function roundFor(category: string, q: number): number {
  return category === 'funds' ? Math.max(100, Math.round(q / 100) * 100) : q
}

function sortDays(days: string[]): string[] {
  return days.sort((a, b) => DAYS.indexOf(a) - DAYS.indexOf(b))
}
