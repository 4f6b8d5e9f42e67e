/**
 * A category's offers as columns of what the hard constraints read, for why-not (why-not.ts): a need without matches
 * is checked against its whole category, thousands of offers (tens of thousands at 1M listings), and asking
 * violations() of each scattered offer object cost more than the checks. Compiled once per kept list, or kept by a
 * candidate index across writes (`Patched`); tests hold the tally to violations() offer by offer.
 */
import { daysOverlap, holds, lower, upper } from './feasibility.js'
import { NumberedWords } from './numbered-words.js'
import { parseSchedule } from './schedule.js'
import { fitsBySubject, NO_TOPICS, relate, SOME_TOPICS, type TopicRelation } from './topic-relation.js'
import { Slots } from './slots.js'
import { CONSTRAINTS, type Constraint, type NeedView, type OfferView } from './types.js'

/**
 * relate() for every offer of a category, from a candidate index: relate() itself for the offers `near` (those the
 * index finds about the same thing), and for every other offer what `far` says from whether it has topics.
 */
export interface Relation {
  (offer: OfferView): TopicRelation
  near: ReadonlySet<OfferView>
  far: (offerHasTopics: boolean) => TopicRelation
}

/**
 * Offers in id order as columns of what the hard constraints read: a need without matches is checked against its
 * whole category (thousands of offers), and reading each offer's object, scattered in memory, cost more than the
 * checks. A kept category's list (frozen: the same array until the category changes) is compiled once.
 */
export interface Columns {
  offers: readonly OfferView[]
  ids: Int32Array
  category: Int32Array
  categories: string[]
  /** lower(from) and upper(until), as holds('window') reads them. */
  from: Float64Array
  until: Float64Array
  /** Per constraint, each offer's class (offers alike in every field the constraint reads) and one offer of each. */
  classes: Record<Classed, { of: Int32Array; first: OfferView[] }>
  /** Each capacity class's remaining, and each schedule class's days and hours: what holds() reads of them. */
  left: Float64Array
  days: Int32Array
  hours: Int32Array
  topicList: Int32Array
  topicLists: (readonly string[])[]
  /** One offer of each topic list. */
  topicFirst: OfferView[]
  topical: Uint8Array
  /** The offers' keywords numbered, for the relevance of those a need's words reach; made when first needed. */
  words?: NumberedWords
  /** Each offer's column by id, for a category's columns (see slotsOf); made when first needed. */
  at?: Slots<OfferView>
}

/**
 * A category's offers as a candidate index keeps them between writes: columns compiled earlier, less the offers gone
 * since (gone[j] = 1: removed or replaced), and the offers put since, in id order. Compiling a category's columns
 * again after each write cost a page thousands of schedules read and classed; the index compiles them again only
 * once many offers have changed.
 */
export interface Patched {
  base: Columns
  gone: Uint8Array
  added: readonly OfferView[]
}

type Classed = 'capacity' | 'schedule' | 'area' | 'trust' | 'focus'
const CLASSED: readonly Classed[] = ['capacity', 'schedule', 'area', 'trust', 'focus']

const compiled = new WeakMap<readonly OfferView[], Columns>()

/** A number per distinct key, in order of first appearance; `first` hears of each new one. */
class Numbering<K> {
  private readonly ids = new Map<K, number>()
  constructor(private readonly first: (o: OfferView) => void) {}
  of(key: K, o: OfferView): number {
    let id = this.ids.get(key)
    if (id === undefined) {
      this.ids.set(key, (id = this.ids.size))
      this.first(o)
    }
    return id
  }
}

export function columnsOf(list: readonly OfferView[]): Columns {
  let cols = compiled.get(list)
  if (cols) return cols
  const offers = byId(list)
  const n = offers.length
  const classes = Object.fromEntries(
    CLASSED.map((c) => [c, { of: new Int32Array(n), first: [] as OfferView[] }]),
  ) as Columns['classes']
  const c: Columns = (cols = {
    offers,
    ids: Int32Array.from(offers, (o) => o.id),
    category: new Int32Array(n),
    categories: [],
    from: new Float64Array(n),
    until: new Float64Array(n),
    classes,
    left: new Float64Array(0),
    days: new Int32Array(0),
    hours: new Int32Array(0),
    topicList: new Int32Array(n),
    topicLists: [],
    topicFirst: [],
    topical: new Uint8Array(n),
  })
  const category = new Numbering<string>((o) => c.categories.push(o.category))
  // Keys by identity where the views share their lists (areas' paths, focus and topic lists): two equal lists apart
  // make two classes, which answer alike. A schedule by the days and hours holds() reads of it (parseSchedule).
  const capacity = new Numbering<number>((o) => classes.capacity.first.push(o)),
    schedule = new Numbering<number>((o) => classes.schedule.first.push(o)),
    area = new Numbering<readonly number[]>((o) => classes.area.first.push(o)),
    trust = new Numbering<string>((o) => classes.trust.first.push(o)),
    focus = new Numbering<readonly string[]>((o) => classes.focus.first.push(o)),
    topics = new Numbering<readonly string[]>((o) => {
      c.topicLists.push(o.topics)
      c.topicFirst.push(o)
    })
  for (let j = 0; j < n; j++) {
    const o = offers[j]!
    c.category[j] = category.of(o.category, o)
    c.from[j] = lower(o.from)
    c.until[j] = upper(o.until)
    classes.capacity.of[j] = capacity.of(o.remaining, o)
    const slots = parseSchedule(o.schedule)
    classes.schedule.of[j] = schedule.of(slots.days * 2 ** 24 + slots.hours, o)
    classes.area.of[j] = area.of(o.servesPath, o)
    classes.trust.of[j] = trust.of(o.minTrust, o)
    classes.focus.of[j] = focus.of(o.focus, o)
    c.topicList[j] = topics.of(o.topics, o)
    c.topical[j] = o.topics.length > 0 ? 1 : 0
  }
  c.left = Float64Array.from(classes.capacity.first, (o) => o.remaining)
  c.days = Int32Array.from(classes.schedule.first, (o) => parseSchedule(o.schedule).days)
  c.hours = Int32Array.from(classes.schedule.first, (o) => parseSchedule(o.schedule).hours)
  if (Object.isFrozen(list)) compiled.set(list, cols)
  return cols
}

/**
 * slotOf for many offers: a category's columns (not more ids than 64 per offer) look offers up in an array by id
 * (slots.ts), where a binary search was a third of why-not's relations at 1M listings (thousands of offers a page);
 * a short list of a few offers among high ids keeps the search.
 */
function slotsOf(cols: Columns): (o: OfferView) => number {
  const highest = cols.ids.length ? cols.ids[cols.ids.length - 1]! : 0
  if (highest > cols.ids.length * 64) return (o) => slotOf(cols, o)
  const at = (cols.at ??= new Slots(cols.offers))
  return (o) => at.of(o)
}

/** The offer's slot in the columns, or -1. */
export function slotOf(cols: Columns, o: OfferView): number {
  const ids = cols.ids
  let lo = 0,
    hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (ids[mid]! < o.id) lo = mid + 1
    else hi = mid
  }
  return lo < ids.length && cols.offers[lo] === o ? lo : -1
}

const at = (c: Constraint) => CONSTRAINTS.indexOf(c)
const bit = (c: Constraint) => 1 << at(c)
const TOPIC = bit('topic'),
  WINDOW = bit('window'),
  CAPACITY = bit('capacity'),
  SCHEDULE = bit('schedule')

/** What an offer is about relative to the need, as a number (its index here), and whether each fits by subject. */
const RELATIONS: readonly TopicRelation[] = ['same', 'related', 'other', 'unclear']
const OTHER = RELATIONS.indexOf('other')
const FITS = Uint8Array.from(RELATIONS, (r) => (fitsBySubject(r) ? 1 : 0))
const code = (r: TopicRelation) => RELATIONS.indexOf(r)

/** An offer standing for `n` alike ones (one class of what a constraint reads), or for itself (n = 1). */
export interface Counted {
  offer: OfferView
  n: number
}

/** What why-not counts of a category's offers for one need: violations(need, offer, { whole: true }) of each. */
export interface Tally {
  /** Offers of the need's category, and those of them that break nothing. */
  considered: number
  feasible: number
  /** Offers breaking each constraint, by CONSTRAINTS index. */
  broken: Int32Array
  /** Offers ruled out by subject: about other things (counted by topic list), and unclear. */
  other: number
  otherTopics: { topics: readonly string[]; n: number }[]
  unclear: number
  /** The offers breaking one constraint alone, by constraint: one of each class of alike offers, with how many. */
  only: Map<Constraint, Counted[]>
}

/**
 * violations(need, offer, { whole: true, relation }) of each offer, tallied: holds() asked once per class of offers
 * alike in what it reads, the window through holds()'s own parts (lower/upper, daysOverlap) on the columns, and what
 * the offers are about from `relation` (see relationsOf). The offers breaking one constraint alone are gathered by
 * class, not one by one: at 1M listings a category's offers failing only by subject run to tens of thousands.
 */
export function tally(
  need: NeedView,
  offers: readonly OfferView[] | Patched,
  relation?: ((offer: OfferView) => TopicRelation) | Relation,
): Tally {
  const t: Tally = {
    considered: 0,
    feasible: 0,
    broken: new Int32Array(CONSTRAINTS.length),
    other: 0,
    otherTopics: [],
    unclear: 0,
    only: new Map(),
  }
  if (!('base' in offers)) tallyPart(need, columnsOf(offers), undefined, relation, t)
  else {
    tallyPart(need, offers.base, offers.gone, relation, t)
    if (offers.added.length) tallyPart(need, columnsOf(offers.added), undefined, relation, t)
  }
  return t
}

function tallyPart(
  need: NeedView,
  cols: Columns,
  gone: Uint8Array | undefined,
  relation: ((offer: OfferView) => TopicRelation) | Relation | undefined,
  t: Tally,
): void {
  const category = cols.categories.indexOf(need.category)
  if (category < 0) return
  const n = cols.offers.length
  const from = lower(need.from),
    until = upper(need.until)
  // Per classed constraint, its bit for each class whose offers break it. Capacity and schedule have a class per
  // amount left and per weekly pattern, thousands in a category: compared on the columns rather than through holds().
  const quantity = need.quantity
  const capacityBreaks = Int32Array.from(cols.left, (left) => (left >= quantity && left > 0 ? 0 : CAPACITY))
  const slots = parseSchedule(need.schedule)
  const scheduleBreaks = new Int32Array(cols.days.length)
  for (let k = 0; k < scheduleBreaks.length; k++)
    scheduleBreaks[k] = (slots.days & cols.days[k]!) !== 0 && (slots.hours & cols.hours[k]!) !== 0 ? 0 : SCHEDULE
  const whole = { whole: true }
  const classBreaks = (c: Classed) => {
    const b = bit(c)
    return Int32Array.from(cols.classes[c].first, (o) => (holds(c, need, o, whole) ? 0 : b))
  }
  const areaBreaks = classBreaks('area'),
    trustBreaks = classBreaks('trust'),
    focusBreaks = classBreaks('focus')
  const capacityOf = cols.classes.capacity.of,
    scheduleOf = cols.classes.schedule.of,
    areaOf = cols.classes.area.of,
    trustOf = cols.classes.trust.of,
    focusOf = cols.classes.focus.of,
    offerFrom = cols.from,
    offerUntil = cols.until,
    categoryOf = cols.category,
    topicList = cols.topicList,
    topical = cols.topical
  const { near, far } = relationsOf(need, cols, relation)
  // Per constraint (CONSTRAINTS index), the offers failing it alone, counted by class: by what the constraint reads
  // for the classed ones, by topic list for the subject; those failing the window alone are kept one by one.
  const classOf: (Int32Array | undefined)[] = CONSTRAINTS.map((c) =>
    c === 'topic' ? topicList : (CLASSED as readonly string[]).includes(c) ? cols.classes[c as Classed].of : undefined,
  )
  const onlyCounts: (Int32Array | undefined)[] = CONSTRAINTS.map((c) =>
    c === 'topic'
      ? new Int32Array(cols.topicLists.length)
      : (CLASSED as readonly string[]).includes(c)
        ? new Int32Array(cols.classes[c as Classed].first.length)
        : undefined,
  )
  const windowOnly: number[] = []
  const aboutOther = new Int32Array(cols.topicLists.length)
  // Offers by the set of constraints they break (a mask), spread over the constraints once after the loop: most offers
  // break two or more, and walking each one's bits was a third of the loop.
  const byMask = new Int32Array(1 << CONSTRAINTS.length)
  let considered = 0,
    feasible = 0,
    other = 0,
    unclear = 0
  for (let j = 0; j < n; j++) {
    if (categoryOf[j] !== category || (gone !== undefined && gone[j] !== 0)) continue
    considered++
    const rel = near[j] !== 0 ? near[j]! - 1 : far[topical[j]!]!
    const mask =
      (FITS[rel] ? 0 : TOPIC) |
      (daysOverlap(from, until, offerFrom[j]!, offerUntil[j]!) ? 0 : WINDOW) |
      capacityBreaks[capacityOf[j]!]! |
      scheduleBreaks[scheduleOf[j]!]! |
      areaBreaks[areaOf[j]!]! |
      trustBreaks[trustOf[j]!]! |
      focusBreaks[focusOf[j]!]!
    if (mask === 0) {
      feasible++
      continue
    }
    byMask[mask]!++
    if (mask & TOPIC) {
      if (rel === OTHER) {
        other++
        aboutOther[topicList[j]!]!++
      } else unclear++
    }
    if ((mask & (mask - 1)) === 0) {
      const c = 31 - Math.clz32(mask)
      if (mask === WINDOW) windowOnly.push(j)
      else onlyCounts[c]![classOf[c]![j]!]!++
    }
  }
  for (let mask = 1; mask < byMask.length; mask++) {
    const k = byMask[mask]!
    if (k !== 0) for (let m = mask; m !== 0; m &= m - 1) t.broken[31 - Math.clz32(m & -m)]! += k
  }
  t.considered += considered
  t.feasible += feasible
  t.other += other
  t.unclear += unclear
  aboutOther.forEach((k, list) => {
    if (k > 0) t.otherTopics.push({ topics: cols.topicLists[list]!, n: k })
  })
  const gather = (c: Constraint, counted: Counted[]) => {
    if (counted.length === 0) return
    const list = t.only.get(c)
    if (list) list.push(...counted)
    else t.only.set(c, counted)
  }
  CONSTRAINTS.forEach((c, i) => {
    const counts = onlyCounts[i]
    if (!counts) return
    const first = c === 'topic' ? cols.topicFirst : cols.classes[c as Classed].first
    const counted: Counted[] = []
    counts.forEach((k, cls) => {
      if (k > 0) counted.push({ offer: first[cls]!, n: k })
    })
    gather(c, counted)
  })
  gather(
    'window',
    windowOnly.map((j) => ({ offer: cols.offers[j]!, n: 1 })),
  )
}

/**
 * What each offer of the columns is about relative to the need (topic-relation.ts relate), as RELATIONS codes: near[j]
 * is offer j's code + 1, or 0 for an offer that `far` answers for by whether it has topics (far[topical[j]]). Without
 * an index's relation every offer is near. relate() is asked once per topic list of the offers' when both sides have
 * topics (it then reads the lists alone), and otherwise given the keyword relevance counted on numbered words.
 */
export function relationsOf(
  need: NeedView,
  cols: Columns,
  relation: ((offer: OfferView) => TopicRelation) | Relation | undefined,
): { near: Uint8Array; far: readonly [number, number] } {
  const near = new Uint8Array(cols.offers.length)
  if (relation && !('near' in relation)) {
    cols.offers.forEach((o, j) => (near[j] = code(relation(o)) + 1))
    return { near, far: [0, 0] }
  }
  const words = (cols.words ??= new NumberedWords(cols.offers))
  words.setNeed(need)
  const byList: number[] = need.topics.length > 0 ? new Array(cols.topicLists.length).fill(0) : []
  const ask = (j: number) => {
    if (!cols.topical[j] || need.topics.length === 0)
      return code(relate(need.category, need, cols.topical[j] ? SOME_TOPICS : NO_TOPICS, words.relevance(j))) + 1
    const k = cols.topicList[j]!
    return (byList[k] ||= code(relate(need.category, need, cols.offers[j]!)) + 1)
  }
  if (!relation) {
    for (let j = 0; j < near.length; j++) near[j] = ask(j)
    return { near, far: [0, 0] }
  }
  // In column order: at 1M listings a need relates thousands of offers, and asking them as the index found them read
  // their words (and wrote near) all over memory, which was most of the time.
  const slot = slotsOf(cols)
  const order = new Int32Array(relation.near.size)
  let count = 0
  for (const o of relation.near) {
    const j = slot(o)
    if (j >= 0) order[count++] = j
  }
  order.subarray(0, count).sort()
  for (let x = 0; x < count; x++) near[order[x]!] = ask(order[x]!)
  return { near, far: [code(relation.far(false)), code(relation.far(true))] }
}

/** The offers in id order, so the answer does not depend on the order they came in; not copied when already so. */
function byId(offers: readonly OfferView[]): readonly OfferView[] {
  for (let i = 1; i < offers.length; i++)
    if (offers[i - 1]!.id > offers[i]!.id) return [...offers].sort((a, b) => a.id - b.id)
  return offers
}
