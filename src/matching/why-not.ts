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
import type { TopicRelation } from './topics.js'
import { columnsOf, relationsOf, TOPIC, violationsOf, type Columns, type Relation } from './offer-columns.js'
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
 * `relation`, when given, is topics.ts `relate(need.category, need, offer)` for each offer, answered faster by the
 * caller (a candidate index knows which offers could be about the same thing; one that also says which those are,
 * `near`, spares asking it offer by offer).
 */
export function whyNot(
  need: NeedView,
  offers: readonly OfferView[],
  relation?: ((offer: OfferView) => TopicRelation) | Relation,
): WhyNot {
  const cols = columnsOf(offers)
  const broken = violationsOf(need, cols)
  const related = relationsOf(need, cols, relation)
  const counts = new Map<Constraint, number>()
  const tally = new Int32Array(CONSTRAINTS.length)
  const onlyFailing = new Map<Constraint, OfferView[]>()
  // Offers about other things are counted by their topic lists, not gathered: they are most of a category.
  const aboutOther = new Int32Array(cols.topicLists.length)
  let unclear = 0,
    other = 0,
    considered = 0,
    feasible = 0
  for (let j = 0; j < cols.offers.length; j++) {
    if (cols.category[j] !== broken.category) continue
    considered++
    const rel = related(j)
    const mask = broken.mask(j, rel)
    if (mask === 0) {
      feasible++
      continue
    }
    // Each broken constraint's bit, lowest first; `only` when there is one.
    const only = (mask & (mask - 1)) === 0 ? 31 - Math.clz32(mask) : -1
    for (let m = mask; m !== 0; m &= m - 1) tally[31 - Math.clz32(m & -m)]!++
    if (mask & TOPIC) {
      if (rel === 'other') {
        other++
        aboutOther[cols.topicList[j]!]!++
      } else unclear++
    }
    if (only >= 0) {
      const list = onlyFailing.get(CONSTRAINTS[only]!)
      if (list) list.push(cols.offers[j]!)
      else onlyFailing.set(CONSTRAINTS[only]!, [cols.offers[j]!])
    }
  }
  CONSTRAINTS.forEach((c, i) => {
    if (tally[i]! > 0) counts.set(c, tally[i]!)
  })

  const base = { noun: need.category }
  const blocked: WhyNotEntry[] = EASE.filter((c) => counts.has(c) && c !== 'topic').map((c) => ({
    constraint: c,
    offers: counts.get(c)!,
    key: `whynot.blocked.${c}`,
    params:
      c === 'capacity'
        ? { ...base, offers: counts.get(c)!, quantity: need.quantity, unit: need.unit }
        : { ...base, offers: counts.get(c)! },
  }))
  blocked.push(...offTopic(need, other, topicCounts(cols, aboutOther), unclear))
  blocked.sort(
    (a, b) =>
      b.offers - a.offers ||
      EASE.indexOf(a.constraint) - EASE.indexOf(b.constraint) ||
      (a.key === b.key ? 0 : a.key < b.key ? -1 : 1),
  )

  let unlock: WhyNotEntry | null = null
  for (const c of EASE) {
    const candidates = onlyFailing.get(c)
    if (!candidates) continue
    const entry = relax(c, need, candidates)
    if (entry && entry.offers > 0 && (!unlock || entry.offers > unlock.offers)) unlock = entry
  }
  return { considered, feasible, blocked, unlock }
}

/** Topics by how many of these offers are about them, most first (ties by code, so the answer is stable). */
function topicsByCount(offers: readonly OfferView[]): [string, number][] {
  const byTopic = new Map<string, number>()
  for (const o of offers)
    for (const t of o.topics.length < 2 ? o.topics : new Set(o.topics)) byTopic.set(t, (byTopic.get(t) ?? 0) + 1)
  return ranked(byTopic)
}

/** topicsByCount of offers counted by topic list (`counts`, by the columns' topicLists index). */
function topicCounts(cols: Columns, counts: Int32Array): [string, number][] {
  const byTopic = new Map<string, number>()
  counts.forEach((n, k) => {
    if (n > 0) for (const t of new Set(cols.topicLists[k])) byTopic.set(t, (byTopic.get(t) ?? 0) + n)
  })
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

function relax(c: Constraint, need: NeedView, offers: OfferView[]): WhyNotEntry | null {
  const noun = need.category
  const entry = (key: string, count: number, params: Message['params']): WhyNotEntry => ({
    constraint: c,
    offers: count,
    key,
    params: { ...params, offers: count, noun },
  })
  switch (c) {
    case 'capacity': {
      const usable = offers.filter((o) => o.remaining > 0)
      if (usable.length === 0) return null
      return entry('whynot.unlock.capacity', usable.length, {
        quantity: Math.min(...usable.map((o) => o.remaining)),
        unit: need.unit,
      })
    }
    case 'window':
      return widenDates(need, offers, entry)
    case 'schedule': {
      let days = 0,
        hours = 0
      for (const o of offers) {
        const s = parseSchedule(o.schedule)
        days |= s.days
        hours |= s.hours
      }
      const d = describeSlots({ days, hours })
      if (d.everyDay) return entry('whynot.unlock.schedule.periods', offers.length, { periods: d.periods.join(',') })
      if (d.allDay) return entry('whynot.unlock.schedule.days', offers.length, { days: d.days.join(',') })
      return entry('whynot.unlock.schedule.days_periods', offers.length, {
        day: d.days.join(','),
        periods: d.periods.join(','),
      })
    }
    case 'area':
      return moveArea(need, offers, entry)
    case 'trust': {
      const vouched = offers.filter((o) => trustRank(o.minTrust) <= 1).length
      if (vouched > 0 && vouched === offers.length) return entry('whynot.unlock.trust.vouched', vouched, {})
      return entry('whynot.unlock.trust.endorsed', offers.length, {})
    }
    case 'topic': {
      // The topic most of these offers are about; if that is what the need is about, choosing it opens them.
      const [best] = topicsByCount(
        offers.filter((o) => o.topics.length > 0 && !o.topics.some((t) => need.topics.includes(t))),
      )
      return best ? entry('whynot.unlock.topic', best[1], { topic: best[0] }) : null
    }
    case 'focus': {
      const byFocus = new Map<string, number>()
      for (const o of offers) for (const f of new Set(o.focus)) byFocus.set(f, (byFocus.get(f) ?? 0) + 1)
      const [focus, count] = [...byFocus].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]
      return entry('whynot.unlock.focus', count, { focus })
    }
    default:
      return null
  }
}

type Make = (key: string, count: number, params: Message['params']) => WhyNotEntry

/** The smallest widening of the need's dates that touches every offer's window. */
function widenDates(need: NeedView, offers: OfferView[], entry: Make): WhyNotEntry {
  const needFrom = dayNumber(need.from),
    needUntil = dayNumber(need.until)
  let from = need.from ?? '',
    until = need.until ?? ''
  let fromDay = Number.isNaN(needFrom) ? -Infinity : needFrom,
    untilDay = Number.isNaN(needUntil) ? Infinity : needUntil
  for (const o of offers) {
    const oUntil = dayNumber(o.until),
      oFrom = dayNumber(o.from)
    if (!Number.isNaN(oUntil) && oUntil < fromDay) {
      fromDay = oUntil
      from = o.until!.slice(0, 10)
    }
    if (!Number.isNaN(oFrom) && oFrom > untilDay) {
      untilDay = oFrom
      until = o.from!.slice(0, 10)
    }
  }
  return entry('whynot.unlock.window', offers.length, { from, until })
}

/**
 * Where the activity could move so that the most of these offers serve it: the served area that the most
 * offers' areas contain, nearest to the need's own place on ties.
 */
function moveArea(need: NeedView, offers: OfferView[], entry: Make): WhyNotEntry | null {
  let best: { path: number[]; count: number; near: number } | null = null
  const paths = [...new Map(offers.map((o) => [o.servesPath.join('/'), o.servesPath])).values()]
  for (const path of paths) {
    const count = offers.filter(
      (o) => o.servesPath.length <= path.length && o.servesPath.every((id, i) => path[i] === id),
    ).length
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
