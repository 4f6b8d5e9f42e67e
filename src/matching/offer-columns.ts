/**
 * A category's offers as columns of what the hard constraints read, for why-not (why-not.ts): a need without matches
 * is checked against its whole category, thousands of offers, and asking violations() of each scattered offer object
 * cost more than the checks. Compiled once per kept list; a test holds violationsOf to violations() offer by offer.
 */
import { daysOverlap, holds, lower, upper } from './feasibility.js'
import { parseSchedule } from './schedule.js'
import { fitsBySubject, relate, type TopicRelation } from './topics.js'
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
  topicList: Int32Array
  topicLists: (readonly string[])[]
  topical: Uint8Array
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
    topicList: new Int32Array(n),
    topicLists: [],
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
    topics = new Numbering<readonly string[]>((o) => c.topicLists.push(o.topics))
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
  if (Object.isFrozen(list)) compiled.set(list, cols)
  return cols
}

/** The offer's slot in the columns, or -1. */
function slotOf(cols: Columns, o: OfferView): number {
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

const bit = (c: Constraint) => 1 << CONSTRAINTS.indexOf(c)
/** The topic constraint's bit in violationsOf's masks. */
export const TOPIC = bit('topic')
const WINDOW = bit('window')

/**
 * violations(need, offer, { whole: true, relation }) for each offer of the columns (of the need's category), as a
 * bit per constraint in CONSTRAINTS order: holds() asked once per class of offers alike in what it reads, the window
 * through holds()'s own parts (lower/upper, daysOverlap) on the columns. A test holds it to violations() offer by
 * offer.
 */
export function violationsOf(need: NeedView, cols: Columns) {
  const from = lower(need.from),
    until = upper(need.until)
  // Per classed constraint: each offer's class, and the constraint's bit for each class whose offers break it.
  const classes = CLASSED.map((c) => cols.classes[c].of)
  // Asked a few thousand times a page (a category's schedules and, for funds, its amounts left): one options
  // object and one bit per constraint.
  const whole = { whole: true }
  const breaks = CLASSED.map((c) => {
    const b = bit(c)
    return Int32Array.from(cols.classes[c].first, (o) => (holds(c, need, o, whole) ? 0 : b))
  })
  return {
    category: cols.categories.indexOf(need.category),
    mask(j: number, relation: TopicRelation): number {
      let mask =
        (fitsBySubject(relation) ? 0 : TOPIC) | (daysOverlap(from, until, cols.from[j]!, cols.until[j]!) ? 0 : WINDOW)
      for (let k = 0; k < classes.length; k++) mask |= breaks[k]![classes[k]![j]!]!
      return mask
    },
  }
}

/** What each offer of the columns is about relative to the need (topics.ts relate), by slot. */
export function relationsOf(
  need: NeedView,
  cols: Columns,
  relation: ((offer: OfferView) => TopicRelation) | Relation | undefined,
): (j: number) => TopicRelation {
  if (!relation) return (j) => relate(need.category, need, cols.offers[j]!)
  if (!('near' in relation)) return (j) => relation(cols.offers[j]!)
  const near = new Uint8Array(cols.offers.length)
  for (const o of relation.near) {
    const j = slotOf(cols, o)
    if (j >= 0) near[j] = 1
  }
  const far = [relation.far(false), relation.far(true)] as const
  // When both sides have topics relate() reads the topic lists alone: asked once per list of the offers', which
  // are a few hundred in a category of thousands.
  const byList: (TopicRelation | undefined)[] = need.topics.length > 0 ? new Array(cols.topicLists.length) : []
  return (j) => {
    if (!near[j]) return far[cols.topical[j]!]!
    if (!cols.topical[j] || need.topics.length === 0) return relate(need.category, need, cols.offers[j]!)
    const k = cols.topicList[j]!
    return (byList[k] ??= relate(need.category, need, cols.offers[j]!))
  }
}

/** The offers in id order, so the answer does not depend on the order they came in; not copied when already so. */
function byId(offers: readonly OfferView[]): readonly OfferView[] {
  for (let i = 1; i < offers.length; i++)
    if (offers[i - 1]!.id > offers[i]!.id) return [...offers].sort((a, b) => a.id - b.id)
  return offers
}
