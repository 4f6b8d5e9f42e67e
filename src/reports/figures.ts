/**
 * The street office's report, computed from plain rows: no database, no clock (`now` is passed in).
 * The shell (`reports.ts`) preselects rows with the same rules in SQL for speed; these functions apply the
 * rules again, so a district built by hand in a test checks every figure exactly.
 *
 * A period is two dates, both included, as days in China time like the dates the site shows. An area is a
 * materialised path ('/1/4/'): a need belongs to it when its place is in the area; an offer when the area it
 * serves lies in the area or covers it (a district-wide offer is available to every street).
 */
import { addDays, isoDate, localDayStart } from '../shared/time.js'
import { isWithin } from '../areas/paths.js'

export interface Period {
  from: string
  to: string
}

export interface CategoryRow {
  code: string
  unit: string
}

export interface NeedRow {
  id: number
  orgId: number
  category: string
  status: string
  quantity: number
  remaining: number
  createdAt: string
  areaPath: string
  /** Set when closed: a need closed as a duplicate of another was never demand of its own. */
  closeReason: string | null
  /** The first time any match for this need was accepted; null when none has been. */
  firstAcceptedAt: string | null
}

export interface OfferRow {
  id: number
  category: string
  quantity: number
  status: 'draft' | 'open' | 'closed' | 'expired'
  /** The last day it may be used (a date), or null. */
  expiresAt: string | null
  createdAt: string
  /** When it was closed; null unless closed. */
  closedAt: string | null
  servesPath: string
}

/** Capacity a match took from an offer: what was delivered, or what an accepted match reserves. */
export interface UseRow {
  offerId: number
  needAreaPath: string
  acceptedAt: string
  quantity: number
}

/** A match that reached "accepted": who was served, and when. */
export interface AcceptanceRow {
  needOrgId: number
  needAreaPath: string
  acceptedAt: string
}

/** A need-side request to a holder, and the holder's answer if any. */
export interface RequestRow {
  requestedAt: string
  needAreaPath: string
  answeredAt: string | null
  /** How the request ended: 'accepted' or 'declined' are answers; 'withdrawn' means the asker took it back first. */
  outcome: 'accepted' | 'declined' | 'withdrawn' | null
}

export interface FeedbackRow {
  side: 'need' | 'offer'
  rating: number
  createdAt: string
  needAreaPath: string
}

/** A 30/90-day check-in answered: what the group (or the holder, or the broker) said became of the arrangement. */
export interface CheckinRow {
  answeredAt: string
  needAreaPath: string
  outcome: 'continues' | 'changed' | 'ended'
  reason: string | null
}
/** Why an arrangement ended, in the order the report lists them (brokering/checkins.ts asks for one of these). */
export const CHECKIN_END_REASONS = ['need_gone', 'holder_unwilling', 'poor_fit', 'group_stopped'] as const

export interface OrgRow {
  id: number
  registered: boolean
  kind: string
}

export interface ReportInput {
  period: Period
  areaPath: string
  categories: CategoryRow[]
  needs: NeedRow[]
  offers: OfferRow[]
  uses: UseRow[]
  acceptances: AcceptanceRow[]
  requests: RequestRow[]
  feedback: FeedbackRow[]
  /** Absent in reports built before check-ins were recorded: none. */
  checkins?: CheckinRow[]
  orgs: OrgRow[]
  /** Days a holder has to answer a request: the site's reminder setting. */
  answerDays: number
  now: Date
}

const DAY = 86_400_000

/** [start, end) instants of a period of whole local days. */
export function bounds(period: Period): [string, string] {
  return [localDayStart(period.from), localDayStart(isoDate(addDays(new Date(`${period.to}T00:00:00Z`), 1)))]
}

const inPeriod = ([start, end]: [string, string], at: string) => at >= start && at < end
/** Needs posted in the period, drafts and duplicates aside. */
const posted = (span: [string, string], n: NeedRow) =>
  inPeriod(span, n.createdAt) && n.status !== 'draft' && n.closeReason !== 'duplicate'
/** Open at some time in the period: posted before it ended, not closed or expired before it began. */
export const offerActiveDuring = (period: Period, span: [string, string], o: OfferRow) =>
  o.status !== 'draft' &&
  o.createdAt < span[1] &&
  !(o.status === 'closed' && o.closedAt !== null && o.closedAt < span[0]) &&
  (o.expiresAt === null || o.expiresAt >= period.from)
/** An offer serves an area when what it serves lies inside the area or covers it. */
export const offerInArea = (areaPath: string, servesPath: string) =>
  servesPath.startsWith(areaPath) || areaPath.startsWith(servesPath)

export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null)

export function median(values: number[]): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Rows by a key in one pass: a report groups 50k rows, so never one filter per category. */
function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const k = key(row)
    const list = groups.get(k)
    if (list) list.push(row)
    else groups.set(k, [row])
  }
  return groups
}

const mean = (values: number[]) => (values.length ? values.reduce((s, v) => s + v, 0) / values.length : null)

/** Upper bounds in days of the time-to-first-match histogram; the last bucket is open. */
export const WAIT_BUCKETS = [1, 3, 7, 14, 30] as const

export function report(input: ReportInput) {
  const span = bounds(input.period)
  const needs = input.needs.filter((n) => posted(span, n) && isWithin(n.areaPath, input.areaPath))
  const offers = input.offers.filter(
    (o) => offerActiveDuring(input.period, span, o) && offerInArea(input.areaPath, o.servesPath),
  )
  return {
    demand: demand(input.categories, needs),
    waits: waits(input.categories, needs),
    requests: requests(input, span),
    utilization: utilization(input, span, offers),
    orgs: orgsServed(input, span, needs),
    feedback: feedbackScores(input, span),
    checkins: checkins(input, span),
  }
}

/** Check-ins answered in the period about needs in the area: continues, changed, ended (and why). */
function checkins(input: ReportInput, [start, end]: [string, string]) {
  const rows = (input.checkins ?? []).filter(
    (c) => c.answeredAt >= start && c.answeredAt < end && isWithin(c.needAreaPath, input.areaPath),
  )
  const count = (outcome: CheckinRow['outcome']) => rows.filter((r) => r.outcome === outcome).length
  return {
    total: rows.length,
    continues: count('continues'),
    changed: count('changed'),
    ended: count('ended'),
    endedBy: CHECKIN_END_REASONS.map((reason) => ({
      reason,
      count: rows.filter((r) => r.outcome === 'ended' && r.reason === reason).length,
    })),
  }
}

export type Report = ReturnType<typeof report>

/** Demand posted in the period and how much of it has been met so far (reserved by accepted matches or delivered). */
function demand(categories: CategoryRow[], needs: NeedRow[]) {
  const byCategory = groupBy(needs, (n) => n.category)
  return categories
    .map(({ code, unit }) => {
      const rows = byCategory.get(code) ?? []
      const posted = rows.reduce((s, n) => s + n.quantity, 0)
      const met = rows.reduce((s, n) => s + (n.quantity - n.remaining), 0)
      return {
        category: code,
        unit,
        needs: rows.length,
        posted,
        met,
        share: share(met, posted),
        fullyMet: rows.filter((n) => n.remaining === 0).length,
      }
    })
    .filter((r) => r.needs > 0)
}

/** Days from a need being posted to its first accepted match, for needs posted in the period. */
function waits(categories: CategoryRow[], needs: NeedRow[]) {
  // Imported history can say a need was matched before it was posted here; that wait counts as none.
  const daysOf = (n: NeedRow) => Math.max(0, (Date.parse(n.firstAcceptedAt!) - Date.parse(n.createdAt)) / DAY)
  const matched = needs.filter((n) => n.firstAcceptedAt !== null)
  const days = matched.map(daysOf)
  const buckets = WAIT_BUCKETS.map((upTo, i) => ({ upTo, from: i ? WAIT_BUCKETS[i - 1] : 0, count: 0 }))
  let beyond = 0
  for (const d of days) {
    const bucket = buckets.find((b) => d <= b.upTo)
    if (bucket) bucket.count++
    else beyond++
  }
  const byCategory = groupBy(matched, (n) => n.category)
  return {
    posted: needs.length,
    matched: matched.length,
    unmatched: needs.length - matched.length,
    medianDays: median(days),
    buckets,
    beyond,
    byCategory: categories
      .map(({ code }) => {
        const rows = byCategory.get(code) ?? []
        return { category: code, matched: rows.length, medianDays: median(rows.map(daysOf)) }
      })
      .filter((r) => r.matched > 0),
  }
}

/**
 * Requests made in the period and whether the holder answered (accepted or declined) within the deadline.
 * The share counts only requests whose answer is in or whose deadline has passed: one still inside its
 * deadline, or withdrawn by the asker before any answer, says nothing yet about the holder.
 */
function requests(input: ReportInput, span: [string, string]) {
  const rows = input.requests.filter((r) => inPeriod(span, r.requestedAt) && isWithin(r.needAreaPath, input.areaPath))
  const deadline = (r: RequestRow) => Date.parse(r.requestedAt) + input.answerDays * DAY
  const answered = (r: RequestRow) => r.answeredAt !== null && (r.outcome === 'accepted' || r.outcome === 'declined')
  const inTime = rows.filter((r) => answered(r) && Date.parse(r.answeredAt!) <= deadline(r)).length
  const late = rows.filter((r) => answered(r) && Date.parse(r.answeredAt!) > deadline(r)).length
  const waiting = rows.filter((r) => r.answeredAt === null)
  const overdue = waiting.filter((r) => deadline(r) < input.now.getTime()).length
  const pending = waiting.length - overdue
  const withdrawn = rows.filter((r) => r.answeredAt !== null && !answered(r)).length
  return {
    total: rows.length,
    inTime,
    late,
    overdue,
    pending,
    withdrawn,
    deadlineDays: input.answerDays,
    share: share(inTime, inTime + late + overdue),
  }
}

/**
 * The capacity of offers open to this area in the period, and how much of it went to this area's needs through
 * matches accepted in the period (delivered, or still reserved). A district-wide offer used in street A counts as
 * used in A's report and as unused in B's, so street reports never claim each other's use.
 */
function utilization(input: ReportInput, span: [string, string], offers: OfferRow[]) {
  const usedBy = new Map<number, number>()
  for (const u of input.uses) {
    if (inPeriod(span, u.acceptedAt) && isWithin(u.needAreaPath, input.areaPath))
      usedBy.set(u.offerId, (usedBy.get(u.offerId) ?? 0) + u.quantity)
  }
  const byCategory = groupBy(offers, (o) => o.category)
  return input.categories
    .map(({ code, unit }) => {
      const rows = byCategory.get(code) ?? []
      const offered = rows.reduce((s, o) => s + o.quantity, 0)
      const used = rows.reduce((s, o) => s + Math.min(o.quantity, usedBy.get(o.id) ?? 0), 0)
      return {
        category: code,
        unit,
        offers: rows.length,
        offered,
        used,
        share: share(used, offered),
        untouched: rows.filter((o) => !usedBy.has(o.id)).length,
      }
    })
    .filter((r) => r.offers > 0)
}

/**
 * Organizations whose needs here had a match accepted in the period. Under-resourced means an unregistered
 * community group (未登记的社区组织): the groups the platform exists for, by what every organization declares.
 */
export const underResourced = (o: OrgRow) => o.kind === 'community_group' && !o.registered

function orgsServed(input: ReportInput, span: [string, string], needsPosted: NeedRow[]) {
  const unregistered = new Set(input.orgs.filter(underResourced).map((o) => o.id))
  const served = new Set(
    input.acceptances
      .filter((a) => inPeriod(span, a.acceptedAt) && isWithin(a.needAreaPath, input.areaPath))
      .map((a) => a.needOrgId),
  )
  const asking = new Set(needsPosted.map((n) => n.orgId))
  const weakServed = [...served].filter((id) => unregistered.has(id)).length
  return {
    asking: asking.size,
    served: served.size,
    underResourced: weakServed,
    underResourcedShare: share(weakServed, served.size),
  }
}

/** Ratings (1–5) given in the period on matches for needs here, from both sides. */
function feedbackScores(input: ReportInput, span: [string, string]) {
  const rows = input.feedback.filter((f) => inPeriod(span, f.createdAt) && isWithin(f.needAreaPath, input.areaPath))
  const side = (s: FeedbackRow['side']) => {
    const ratings = rows.filter((f) => f.side === s).map((f) => f.rating)
    return { count: ratings.length, mean: mean(ratings) }
  }
  return {
    count: rows.length,
    mean: mean(rows.map((f) => f.rating)),
    need: side('need'),
    offer: side('offer'),
    distribution: [1, 2, 3, 4, 5].map((rating) => ({ rating, count: rows.filter((f) => f.rating === rating).length })),
  }
}
