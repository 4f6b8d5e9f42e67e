/**
 * "Why not": for a need that no offer meets in full, which hard constraints stand in the way, and the one
 * change that would open the most offers, said concretely enough to act on ("widen to weekday evenings:
 * 3 venues become feasible").
 *
 * Capacity is read in the whole-need sense here (feasibility.ts `whole`): the leader asking "why not"
 * wants to know why nothing covers the need, and "reduce the quantity to 20" is an answer they can use.
 * Offers in other categories are not counted: no relaxation of this need turns a venue into funds. Offers of
 * the category about something else are counted by what they are about ("3 training offers are about other
 * things: bookkeeping, first aid, picture books"), apart from those whose subject is unclear.
 */
import { dayNumber, trustRank } from './feasibility.js'
import { describeSlots, parseSchedule } from './schedule.js'
import type { TopicRelation } from './topic-relation.js'
import { tally, type Counted, type Patched, type Relation } from './offer-columns.js'
import { CONSTRAINTS, type Constraint, type Message, type NeedView, type OfferView } from './types.js'

export interface WhyNotEntry extends Message {
  constraint: Constraint
  offers: number
}

export interface WhyNot {
  /** Open offers in the need's category. */
  considered: number
  /** Of those, how many could cover the whole need as it stands. */
  feasible: number
  /** Each constraint that rules offers out, most offers first; an offer breaking two counts under both. */
  blocked: WhyNotEntry[]
  /** The single relaxation that unlocks the most offers (those failing only that constraint). */
  unlock: WhyNotEntry | null
}

// When two relaxations unlock as many offers, suggest the one the leader can make alone. Changing what the
// need is about comes last: it is right only when the need was tagged wrongly.
const EASE: Constraint[] = ['capacity', 'schedule', 'window', 'area', 'trust', 'focus', 'topic']

/**
 * `offers`: a list, or the columns a candidate index keeps of its category (offer-columns.ts `Patched`).
 * `relation`, when given, is topic-relation.ts `relate(need.category, need, offer)` for each offer, answered faster by the
 * caller (a candidate index knows which offers could be about the same thing; one that also says which those are,
 * `near`, spares asking it offer by offer).
 */
export function whyNot(
  need: NeedView,
  offers: readonly OfferView[] | Patched,
  relation?: ((offer: OfferView) => TopicRelation) | Relation,
): WhyNot {
  const t = tally(need, offers, relation)
  const base = { noun: need.category }
  const blocked: WhyNotEntry[] = []
  for (const c of EASE) {
    const n = t.broken[CONSTRAINTS.indexOf(c)]!
    if (n === 0 || c === 'topic') continue
    blocked.push({
      constraint: c,
      offers: n,
      key: `whynot.blocked.${c}`,
      params:
        c === 'capacity' ? { ...base, offers: n, quantity: need.quantity, unit: need.unit } : { ...base, offers: n },
    })
  }
  blocked.push(...offTopic(need, t.other, topicsByCount(t.otherTopics), t.unclear))
  blocked.sort(
    (a, b) =>
      b.offers - a.offers ||
      EASE.indexOf(a.constraint) - EASE.indexOf(b.constraint) ||
      (a.key === b.key ? 0 : a.key < b.key ? -1 : 1),
  )

  let unlock: WhyNotEntry | null = null
  for (const c of EASE) {
    const candidates = t.only.get(c)
    if (!candidates) continue
    const entry = relax(c, need, candidates)
    if (entry && entry.offers > 0 && (!unlock || entry.offers > unlock.offers)) unlock = entry
  }
  return { considered: t.considered, feasible: t.feasible, blocked, unlock }
}

/** Topics by how many offers are about them (lists standing for `n` offers each), most first, ties by code. */
function topicsByCount(lists: readonly { topics: readonly string[]; n: number }[]): [string, number][] {
  const byTopic = new Map<string, number>()
  for (const { topics, n } of lists)
    for (const t of topics.length < 2 ? topics : new Set(topics)) byTopic.set(t, (byTopic.get(t) ?? 0) + n)
  return ranked(byTopic)
}

const ranked = (byTopic: Map<string, number>): [string, number][] =>
  [...byTopic].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))

/**
 * Offers ruled out by what they are about: those about other things (`other`, their topics counted), named, and
 * those whose subject is unclear.
 */
function offTopic(need: NeedView, other: number, topics: [string, number][], unclear: number): WhyNotEntry[] {
  const out: WhyNotEntry[] = []
  if (other) {
    out.push({
      constraint: 'topic',
      offers: other,
      key: 'whynot.blocked.topic',
      params: {
        noun: need.category,
        offers: other,
        topics: topics
          .slice(0, 3)
          .map(([t]) => t)
          .join(','),
      },
    })
  }
  if (unclear)
    out.push({
      constraint: 'topic',
      offers: unclear,
      key: 'whynot.blocked.topic_unclear',
      params: { noun: need.category, offers: unclear },
    })
  return out
}

/**
 * The one change to `c` that opens the most of these offers (those failing `c` alone, each standing for `n` alike in
 * what `c` reads): every answer is a count, a least, a most or a union over them, so it does not depend on their
 * order.
 */
function relax(c: Constraint, need: NeedView, offers: readonly Counted[]): WhyNotEntry | null {
  const noun = need.category
  const entry = (key: string, count: number, params: Message['params']): WhyNotEntry => ({
    constraint: c,
    offers: count,
    key,
    params: { ...params, offers: count, noun },
  })
  const total = sum(offers)
  switch (c) {
    case 'capacity': {
      const usable = offers.filter(({ offer }) => offer.remaining > 0)
      if (usable.length === 0) return null
      return entry('whynot.unlock.capacity', sum(usable), {
        quantity: Math.min(...usable.map(({ offer }) => offer.remaining)),
        unit: need.unit,
      })
    }
    case 'window':
      return widenDates(need, offers, total, entry)
    case 'schedule': {
      let days = 0,
        hours = 0
      for (const { offer } of offers) {
        const s = parseSchedule(offer.schedule)
        days |= s.days
        hours |= s.hours
      }
      const d = describeSlots({ days, hours })
      if (d.everyDay) return entry('whynot.unlock.schedule.periods', total, { periods: d.periods.join(',') })
      if (d.allDay) return entry('whynot.unlock.schedule.days', total, { days: d.days.join(',') })
      return entry('whynot.unlock.schedule.days_periods', total, {
        day: d.days.join(','),
        periods: d.periods.join(','),
      })
    }
    case 'area':
      return moveArea(need, offers, entry)
    case 'trust': {
      const vouched = sum(offers.filter(({ offer }) => trustRank(offer.minTrust) <= 1))
      if (vouched > 0 && vouched === total) return entry('whynot.unlock.trust.vouched', vouched, {})
      return entry('whynot.unlock.trust.endorsed', total, {})
    }
    case 'topic': {
      // The topic most of these offers are about; if that is what the need is about, choosing it opens them.
      const [best] = topicsByCount(
        offers
          .filter(({ offer }) => offer.topics.length > 0 && !offer.topics.some((t) => need.topics.includes(t)))
          .map(({ offer, n }) => ({ topics: offer.topics, n })),
      )
      return best ? entry('whynot.unlock.topic', best[1], { topic: best[0] }) : null
    }
    case 'focus': {
      const byFocus = new Map<string, number>()
      for (const { offer, n } of offers) for (const f of new Set(offer.focus)) byFocus.set(f, (byFocus.get(f) ?? 0) + n)
      const [focus, count] = [...byFocus].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]
      return entry('whynot.unlock.focus', count, { focus })
    }
    default:
      return null
  }
}

const sum = (offers: readonly Counted[]) => offers.reduce((s, { n }) => s + n, 0)

type Make = (key: string, count: number, params: Message['params']) => WhyNotEntry

/**
 * The smallest widening of the need's dates that touches every offer's window, each new end written as the offer
 * with the lowest id that sets it writes its date (two dates of one day number may be written apart).
 */
function widenDates(need: NeedView, offers: readonly Counted[], total: number, entry: Make): WhyNotEntry {
  const needFrom = dayNumber(need.from),
    needUntil = dayNumber(need.until)
  let from = need.from ?? '',
    until = need.until ?? ''
  let fromDay = Number.isNaN(needFrom) ? -Infinity : needFrom,
    untilDay = Number.isNaN(needUntil) ? Infinity : needUntil
  // Who set each end: a tie with the need's own date leaves it be (-Infinity: no id is lower).
  let fromBy = -Infinity,
    untilBy = -Infinity
  for (const { offer: o } of offers) {
    const oUntil = dayNumber(o.until),
      oFrom = dayNumber(o.from)
    if (!Number.isNaN(oUntil) && (oUntil < fromDay || (oUntil === fromDay && o.id < fromBy))) {
      fromDay = oUntil
      fromBy = o.id
      from = o.until!.slice(0, 10)
    }
    if (!Number.isNaN(oFrom) && (oFrom > untilDay || (oFrom === untilDay && o.id < untilBy))) {
      untilDay = oFrom
      untilBy = o.id
      until = o.from!.slice(0, 10)
    }
  }
  return entry('whynot.unlock.window', total, { from, until })
}

/**
 * Where the activity could move so that the most of these offers serve it: the served area that the most
 * offers' areas contain, nearest to the need's own place on ties.
 */
function moveArea(need: NeedView, offers: readonly Counted[], entry: Make): WhyNotEntry | null {
  let best: { path: number[]; count: number; near: number } | null = null
  const paths = [...new Map(offers.map(({ offer }) => [offer.servesPath.join('/'), offer.servesPath])).values()]
  for (const path of paths) {
    let count = 0
    for (const { offer, n } of offers)
      if (offer.servesPath.length <= path.length && offer.servesPath.every((id, i) => path[i] === id)) count += n
    let near = 0
    while (near < path.length && near < need.areaPath.length && path[near] === need.areaPath[near]) near++
    if (
      !best ||
      count > best.count ||
      (count === best.count && (near > best.near || (near === best.near && path.join('/') < best.path.join('/'))))
    )
      best = { path, count, near }
  }
  if (!best || best.path.length === 0) return null
  return entry('whynot.unlock.area', best.count, { area: best.path[best.path.length - 1] })
}
