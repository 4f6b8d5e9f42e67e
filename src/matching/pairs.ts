/**
 * Every feasible (need, offer) pair of an instance, with its score, in typed arrays.
 *
 * This is feasibility.ts and rank.ts compiled for volume: at 20k × 20k there are millions of pairs, so
 * each need looks only at the offers whose served area is one of its area's ancestors (a map lookup per
 * level), and the remaining constraints are integer comparisons and mask ANDs. A test checks that the
 * result agrees with `violations()` pair by pair.
 */
import { Bucket, type Listing } from './buckets.js'
import { holds, lower, trustRank, upper } from './feasibility.js'
import {
  areaValue,
  combine,
  coverageValue,
  datesValue,
  subjectValue,
  trackValue,
  underResourcing,
  urgencyValue,
} from './rank.js'
import { NumberedWords } from './numbered-words.js'
import { SubjectMemo } from './subject-memo.js'
import { maskShare, parseSchedule } from './schedule.js'
import type { NeedView, OfferView } from './types.js'
import { DEFAULT_WEIGHTS, type Weights } from './weights.js'

/** An offer filed in a candidate bucket under its index in the instance. */
type Filed = Listing
const always = () => true

export interface PairOptions {
  weights?: Weights
  /**
   * Text relevance for pairs the caller has it for, keyed `${needId}:${offerId}`. Without it, the text
   * relevance is the overlap of the two sides' normalised keywords (topic-relation.ts keywordRelevance), so what a
   * pair is about always weighs in its score, through the ranker's own subject factor.
   */
  relevance?: ReadonlyMap<string, number>
}

export interface PairIndex {
  /** Open needs (quantity > 0) sorted by id, and offers with capacity left, sorted by id. */
  needs: NeedView[]
  offers: OfferView[]
  /** Pairs of need i are pairOffer[pairStart[i] .. pairStart[i+1]), best score first (ties in a fixed order). */
  pairStart: Int32Array
  pairOffer: Int32Array
  /** Whole points 0..100: ties are real ties, and the allocator's costs stay integers. */
  pairScore: Uint8Array
}

export function feasiblePairs(
  allNeeds: readonly NeedView[],
  allOffers: readonly OfferView[],
  opts: PairOptions = {},
): PairIndex {
  const w = opts.weights ?? DEFAULT_WEIGHTS
  // Sorting by id makes every later step independent of the order the caller loaded rows in.
  const needs = allNeeds.filter((n) => n.quantity > 0).sort((a, b) => a.id - b.id)
  const offers = allOffers.filter((o) => o.remaining > 0).sort((a, b) => a.id - b.id)
  const N = needs.length,
    M = offers.length

  const compiled = compileOffers(offers, needs)
  const hard = compiled.hard
  // Offers by category and served area, each place's filed by topic and keyword (buckets.ts), so a need
  // examines only the offers that could be about the same thing: checking every offer of its category around
  // it grew with needs × offers, most of them about something else.
  const buckets = new Map<string, Bucket<Filed>>()
  for (let j = 0; j < M; j++) {
    const o = offers[j]
    const key = `${o.category}\u0001${o.servesPath.join('/')}`
    let bucket = buckets.get(key)
    if (!bucket) buckets.set(key, (bucket = new Bucket<Filed>(always)))
    bucket.add({ id: j, topics: o.topics, keywords: o.keywords })
  }
  // Each list as offer indexes, made on first use: reading ids from typed arrays instead of from each filed object
  // saves a memory load per candidate, and candidates run to hundreds of millions at city scale.
  const idsOf = new Map<readonly Filed[], Int32Array>()
  const ids = (list: readonly Filed[]) => {
    let a = idsOf.get(list)
    if (!a) idsOf.set(list, (a = Int32Array.from(list, (f) => f.id)))
    return a
  }
  const seen = new Int32Array(M)
  let found = new Int32Array(1024),
    stamp = 0,
    count = 0,
    lists = 0,
    only: Int32Array = found
  const gather = (list: readonly Filed[]) => {
    const a = ids(list)
    if (lists++ === 0) only = a
    for (let x = 0; x < a.length; x++) {
      const j = a[x]!
      if (seen[j] === stamp) continue
      seen[j] = stamp
      if (count === found.length) {
        const bigger = new Int32Array(count * 2)
        bigger.set(found)
        found = bigger
      }
      found[count++] = j
    }
  }

  // Local copies of the factor functions: the loop below runs millions of times, and a module binding
  // read through the loader's accessor each time costs more than the arithmetic.
  const area = areaValue,
    cover = coverageValue,
    share = maskShare,
    dates = datesValue,
    mean = combine
  const relevance = opts.relevance
  // Keywords as numbers (NumberedWords): a few integer comparisons per pair instead of two sets.
  const numbered = relevance ? null : new NumberedWords(offers)
  const pairStart = new Int32Array(N + 1)
  // Pairs are written in chunks, each need's in one, then laid out in need order: a chunk is started when the next need
  // might not fit (no need has more pairs than there are offers), so no array is grown and copied while enumerating
  // (at 100k x 100k that was 51M pairs copied in doublings, and 256 MB held for 29M pairs).
  const chunkSize = Math.max(M, Math.min(1 << 22, Math.max(1024, N * 8)))
  const chunks: { offer: Int32Array; score: Uint8Array }[] = []
  let pairOffer = new Int32Array(0)
  let pairScore = new Uint8Array(0)
  let P = 0,
    total = 0
  const chunkOf = new Int32Array(N)
  const scratch = { hist: new Int32Array(102), offer: new Int32Array(M), score: new Uint8Array(M) }
  // Needs are visited by place (category, area, topics), so that consecutive needs look at the same offers and find
  // their fields in cache: visited by id, nearly every candidate's check began with a cache miss, and that was most of
  // what enumerating cost at city scale. Each need's pairs are laid out in id order afterwards.
  const order = byPlace(needs)
  const written = new Int32Array(N)
  for (let k = 0; k < N; k++) {
    const i = order[k]
    if (P + M > pairOffer.length) {
      pairOffer = new Int32Array(chunkSize)
      pairScore = new Uint8Array(chunkSize)
      chunks.push({ offer: pairOffer, score: pairScore })
      P = 0
    }
    chunkOf[i] = chunks.length - 1
    written[i] = P
    const n = needs[i],
      c = compileNeed(n, compiled)
    const nDays = c.days,
      nHours = c.hours,
      nFrom = c.from,
      nUntil = c.until,
      quantity = n.quantity,
      depth = n.areaPath.length
    const nUrgency = urgencyValue(n.urgency),
      nFairness = underResourcing(n.org)
    numbered?.setNeed(n)
    let key = `${n.category}\u0001`
    for (let level = 0; level <= depth; level++) {
      if (level > 0) key += (level > 1 ? '/' : '') + n.areaPath[level - 1]
      const bucket = buckets.get(key)
      if (!bucket) continue
      stamp++
      count = 0
      lists = 0
      bucket.lists(n, n.category, false, gather)
      // In offer order, as a scan of the place's offers would meet them: ties in score keep a fixed order. A list
      // is filed in that order already, so a lone one needs no sort.
      const list = lists === 1 ? only : found.subarray(0, count).sort()
      const areaPart = area(level, depth)
      for (let x = 0; x < list.length; x++) {
        const j = list[x]
        if (!fitsHard(c, compiled, j)) continue
        // The pair's keyword relevance: it decides what the two are about when a side has no topic, and it
        // weighs in the score. Counted after the cheap checks, for the pairs that pass them.
        const kw = numbered?.relevance(j)
        if (!compiled.subjects.fits(c, compiled, j, kw)) continue
        pairOffer[P] = j
        const at = j * STRIDE
        pairScore[P] = Math.round(
          mean(
            w,
            areaPart,
            cover(hard[at + LEFT]!, quantity),
            share(nDays, nHours, hard[at + DAYS]!, hard[at + HOURS]!),
            dates(nFrom, nUntil, hard[at + FROM]!, hard[at + UNTIL]!),
            nUrgency,
            nFairness,
            hard[at + TRACK]!,
            subjectValue(
              compiled.subjects.sameSubject(c, compiled, j, kw),
              kw ?? relevance!.get(`${n.id}:${offers[j].id}`) ?? 0,
            ),
          ),
        )
        P++
      }
    }
    sortByScore(pairOffer, pairScore, written[i], P, scratch)
    pairStart[i] = P - written[i]
    total += pairStart[i]
  }
  // pairStart holds each need's count until here.
  const offerOut = new Int32Array(total),
    scoreOut = new Uint8Array(total)
  for (let i = 0, at = 0; i < N; i++) {
    const count = pairStart[i]
    pairStart[i] = at
    if (count === 0) continue
    const { offer, score } = chunks[chunkOf[i]]
    offerOut.set(offer.subarray(written[i], written[i] + count), at)
    scoreOut.set(score.subarray(written[i], written[i] + count), at)
    at += count
  }
  pairStart[N] = total
  return { needs, offers, pairStart, pairOffer: offerOut, pairScore: scoreOut }
}

/** Need indexes ordered by category, area and topics (then index): needs next to each other share candidates. */
function byPlace(needs: readonly NeedView[]): Int32Array {
  const keys = needs.map((n) => `${n.category}\u0001${n.areaPath.join('/')}\u0001${n.topics.join('\u0001')}`)
  const order = Array.from(needs, (_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b))
  return Int32Array.from(order)
}

/**
 * Offers as typed arrays for the hard constraints that remain once a caller has matched category and served
 * area by lookup (pairs.ts, serving.ts): one definition compiled for volume, checked against violations().
 */
export interface CompiledOffers {
  offers: readonly OfferView[]
  /**
   * Offer j's checked fields at hard[j * STRIDE + field]: interleaved, so one pair's checks read one cache line
   * rather than one per field, which is most of what a check costs across millions of random offers.
   */
  hard: Float64Array
  /** Focus groups as bits when there are few enough of them; otherwise holds('focus') decides. */
  focusBits: Map<string, number> | null
  /** Each offer's list of topics as a number (−1 for none), and what holds('topic') said per pair of lists. */
  topicList: Int32Array
  subjects: SubjectMemo
}
/** Fields of CompiledOffers.hard. */
export const LEFT = 0,
  DAYS = 1,
  HOURS = 2,
  FROM = 3,
  UNTIL = 4,
  TRUST = 5,
  FOCUS = 6,
  TRACK = 7,
  STRIDE = 8

export interface CompiledNeed {
  need: NeedView
  days: number
  hours: number
  from: number
  until: number
  trust: number
  focus: number
  topicList: number
}

export function compileOffers(offers: readonly OfferView[], needs: readonly NeedView[]): CompiledOffers {
  const M = offers.length
  let focusBits: Map<string, number> | null = new Map<string, number>()
  for (const x of [...needs.map((n) => n.org.focus), ...offers.map((o) => o.focus)]) {
    for (const f of x) if (!focusBits.has(f)) focusBits.set(f, focusBits.size)
  }
  if (focusBits.size > 31) focusBits = null
  const c: CompiledOffers = {
    offers,
    hard: new Float64Array(M * STRIDE),
    focusBits,
    topicList: new Int32Array(M),
    subjects: new SubjectMemo(),
  }
  for (let j = 0; j < M; j++) {
    const o = offers[j],
      s = parseSchedule(o.schedule)
    const h = j * STRIDE
    c.hard[h + LEFT] = o.remaining
    c.hard[h + DAYS] = s.days
    c.hard[h + HOURS] = s.hours
    c.hard[h + FROM] = lower(o.from)
    c.hard[h + UNTIL] = upper(o.until)
    c.hard[h + TRUST] = trustRank(o.minTrust)
    c.hard[h + FOCUS] = focusMask(focusBits, o.focus)
    c.hard[h + TRACK] = trackValue(o.track)
    c.topicList[j] = c.subjects.list(o.topics)
  }
  c.subjects.offerLists = c.subjects.listCount
  return c
}

export function compileNeed(n: NeedView, c: CompiledOffers): CompiledNeed {
  const s = parseSchedule(n.schedule)
  return {
    need: n,
    days: s.days,
    hours: s.hours,
    from: lower(n.from),
    until: upper(n.until),
    trust: trustRank(n.org.trust),
    focus: focusMask(c.focusBits, n.org.focus),
    topicList: c.subjects.list(n.topics),
  }
}

const focusMask = (bits: Map<string, number> | null, fs: readonly string[]) =>
  bits ? fs.reduce((m, f) => m | (1 << bits.get(f)!), 0) : 0

/**
 * Whether offer j may serve the need on everything but what the two are about, for a pair already known to share the
 * category and with the offer's served area above the need's place: capacity, schedule, dates, trust and focus, as
 * feasibility.ts says, in integer comparisons and mask ANDs. Callers then ask `subjects.fits`, the dearest check.
 */
export function fitsHard(n: CompiledNeed, c: CompiledOffers, j: number): boolean {
  const h = c.hard,
    at = j * STRIDE
  if (h[at + LEFT]! <= 0) return false
  if ((n.days & h[at + DAYS]!) === 0 || (n.hours & h[at + HOURS]!) === 0) return false
  if (n.from > h[at + UNTIL]! || h[at + FROM]! > n.until || n.trust < h[at + TRUST]!) return false
  const focus = h[at + FOCUS]!
  return c.focusBits ? focus === 0 || (focus & n.focus) !== 0 : holds('focus', n.need, c.offers[j]!)
}

/** Counting sort of one need's pairs by score, descending; stable, so ties keep their (deterministic) order. */
function sortByScore(
  offer: Int32Array,
  score: Uint8Array,
  from: number,
  to: number,
  scratch: { hist: Int32Array; offer: Int32Array; score: Uint8Array },
): void {
  const n = to - from
  if (n < 2) return
  const { hist } = scratch
  hist.fill(0)
  for (let p = from; p < to; p++) hist[101 - score[p]]++
  for (let b = 1; b < 102; b++) hist[b] += hist[b - 1]
  scratch.offer.set(offer.subarray(from, to))
  scratch.score.set(score.subarray(from, to))
  for (let k = 0; k < n; k++) {
    const v = scratch.score[k],
      at = from + hist[100 - v]++
    offer[at] = scratch.offer[k]
    score[at] = v
  }
}
