import { and, asc, eq, gte, inArray, lt, or, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { capacityAssessments, capacityScores, matches, needs, offers, organizations, users } from '../db/schema.js'
import { NotFound, NotPermitted, StaleEdit, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import * as coverage from '../areas/coverage.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { signed as signedFigure } from '../shared/format.js'
import { localDayStart, localToday } from '../shared/time.js'
import {
  chosenPair,
  compare,
  dimensionScores,
  INDICATOR_CODES,
  overallScore,
  problemsWith,
  type AssessmentInput,
  type CompareQuery,
  type DimensionScores,
  type IndicatorCode,
  type Scores,
} from './indicators.js'
import { barChart } from './chart.js'
import { changesBetween, facts, type AssessmentFacts } from './changes.js'
import { grantsOf } from '../funds/record.js'

export type { CompareQuery }
export type AssessmentRow = typeof capacityAssessments.$inferSelect
export interface Assessment extends AssessmentRow {
  assessorName: string
  scores: Scores
  notes: Partial<Record<IndicatorCode, string>>
  dimensions: DimensionScores
  overall: number | null
}

interface OrgRef {
  id: number
  areaId: number
  name: string
}
const orgRef = (db: Db, id: number): OrgRef | undefined =>
  db
    .select({ id: organizations.id, areaId: organizations.areaId, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, id))
    .get()

/** A broker covering the organization's area, or an admin, records an assessment. */
export function canRecord(db: Db, user: CurrentUser | null, org: { areaId: number }): boolean {
  return !!user && (user.role === 'admin' || coverage.brokerCovers(db, user, org.areaId))
}

/** Who sees the record: the organization's own members, the brokers covering it, admins. Never the public. */
export function canSee(db: Db, user: CurrentUser | null, org: { id: number; areaId: number }): boolean {
  return !!user && (user.orgIds.includes(org.id) || canRecord(db, user, org))
}

/** Only the one who assessed, or an admin, may change what was recorded. */
export const canEdit = (user: CurrentUser | null, a: { assessorId: number }) =>
  !!user && (user.role === 'admin' || user.id === a.assessorId)

function withScores(db: Db, rows: (AssessmentRow & { assessorName: string })[]): Assessment[] {
  if (!rows.length) return []
  const scoreRows = db
    .select()
    .from(capacityScores)
    .where(
      inArray(
        capacityScores.assessmentId,
        rows.map((r) => r.id),
      ),
    )
    .all()
  return rows.map((r) => {
    const scores: Scores = {}
    const notes: Partial<Record<IndicatorCode, string>> = {}
    for (const s of scoreRows) {
      if (s.assessmentId !== r.id) continue
      scores[s.indicator as IndicatorCode] = s.score
      if (s.note) notes[s.indicator as IndicatorCode] = s.note
    }
    const dimensions = dimensionScores(scores)
    return { ...r, scores, notes, dimensions, overall: overallScore(dimensions) }
  })
}

const selectAssessments = (db: Db) =>
  db
    .select({
      id: capacityAssessments.id,
      orgId: capacityAssessments.orgId,
      assessorId: capacityAssessments.assessorId,
      assessedOn: capacityAssessments.assessedOn,
      withLeader: capacityAssessments.withLeader,
      participants: capacityAssessments.participants,
      note: capacityAssessments.note,
      version: capacityAssessments.version,
      createdAt: capacityAssessments.createdAt,
      updatedAt: capacityAssessments.updatedAt,
      assessorName: users.name,
    })
    .from(capacityAssessments)
    .innerJoin(users, eq(users.id, capacityAssessments.assessorId))

export function get(db: Db, id: number): Assessment | undefined {
  return withScores(db, selectAssessments(db).where(eq(capacityAssessments.id, id)).all())[0]
}

/** An organization's assessments, oldest first (the order growth is read in). */
export function listForOrg(db: Db, orgId: number): Assessment[] {
  return withScores(
    db,
    selectAssessments(db)
      .where(eq(capacityAssessments.orgId, orgId))
      .orderBy(asc(capacityAssessments.assessedOn), asc(capacityAssessments.id))
      .all(),
  )
}

/** Scoped lookup: the assessment with its organization, if this user may see it. */
export function findVisible(db: Db, user: CurrentUser | null, id: number) {
  const a = get(db, id)
  if (!a) return undefined
  const org = orgRef(db, a.orgId)
  if (!org || !canSee(db, user, org)) return undefined
  return { ...a, org }
}

function check(input: AssessmentInput, now: Date) {
  const problems = problemsWith(input, localToday(now))
  if (Object.keys(problems).length) throw new ValidationError(problems)
}

const assessmentColumns = ({ assessedOn, withLeader, participants, note }: AssessmentFacts) => ({
  assessedOn,
  withLeader,
  participants,
  note,
})

function scoreRows(assessmentId: number, f: AssessmentFacts) {
  return INDICATOR_CODES.map((code) => ({
    assessmentId,
    indicator: code,
    score: f.scores[code]!,
    note: f.notes[code] ?? '',
  }))
}

export function record(db: Db, user: CurrentUser, orgId: number, input: AssessmentInput, now = new Date()): Assessment {
  const org = orgRef(db, orgId)
  if (!org) throw new NotFound()
  if (!canRecord(db, user, org)) throw new NotPermitted({ key: 'capacity.not_permitted' })
  check(input, now)
  const f = facts(input)
  const id = writeTx(db, (tx) => {
    const at = now.toISOString()
    const row = tx
      .insert(capacityAssessments)
      .values({ orgId, assessorId: user.id, ...assessmentColumns(f), createdAt: at, updatedAt: at })
      .returning({ id: capacityAssessments.id })
      .get()
    tx.insert(capacityScores).values(scoreRows(row.id, f)).run()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'capacity.recorded',
        subjectType: 'capacity_assessment',
        subjectId: row.id,
        data: { orgId, assessedOn: input.assessedOn, scores: input.scores },
      },
      now,
    )
    return row.id
  })
  return get(db, id)!
}

export function edit(
  db: Db,
  user: CurrentUser,
  id: number,
  input: AssessmentInput & { version: number },
  now = new Date(),
): Assessment {
  const current = findVisible(db, user, id)
  if (!current) throw new NotFound()
  if (!canEdit(user, current)) throw new NotPermitted({ key: 'capacity.not_assessor' })
  check(input, now)
  const after = facts(input)
  writeTx(db, (tx) => {
    // The "from" side is read under the write lock: read before it, a concurrent edit could slip in between and
    // the log would name values that were never there when this edit replaced them.
    const before = get(tx, id)!
    if (before.version !== input.version) throw new StaleEdit()
    const changes = changesBetween(before, after)
    // Saving an unchanged form is not an edit: no new version, nothing in the log.
    if (!changes.length) return
    tx.update(capacityAssessments)
      .set({
        ...assessmentColumns(after),
        updatedAt: now.toISOString(),
        version: sql`${capacityAssessments.version} + 1`,
      })
      .where(eq(capacityAssessments.id, id))
      .run()
    tx.delete(capacityScores).where(eq(capacityScores.assessmentId, id)).run()
    tx.insert(capacityScores).values(scoreRows(id, after)).run()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'capacity.updated',
        subjectType: 'capacity_assessment',
        subjectId: id,
        data: { orgId: current.orgId, assessedOn: after.assessedOn, changes },
      },
      now,
    )
  })
  return get(db, id)!
}

// Assessments are dated by the district's calendar day while matches carry UTC instants; a day is 24 h (no DST there).
const dayAfter = (day: string) => new Date(Date.parse(localDayStart(day)) + 86_400_000).toISOString()

const HELPED_STATES = ['accepted', 'delivered', 'reviewed'] as const

/** The help an organization received between two days (inclusive): its needs' matches accepted or delivered then. */
export function matchesBetween(db: Db, orgId: number, from: string, to: string) {
  const start = localDayStart(from)
  const end = dayAfter(to)
  const inWindow = (col: typeof matches.acceptedAt | typeof matches.deliveredAt) => and(gte(col, start), lt(col, end))
  return db
    .select({
      id: matches.id,
      state: matches.state,
      quantity: matches.quantity,
      deliveredQuantity: matches.deliveredQuantity,
      unit: needs.unit,
      needId: needs.id,
      needTitle: needs.title,
      offerId: offers.id,
      offerTitle: offers.title,
      offerOrg: organizations.name,
      acceptedAt: matches.acceptedAt,
      deliveredAt: matches.deliveredAt,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .where(
      and(
        eq(needs.orgId, orgId),
        inArray(matches.state, [...HELPED_STATES]),
        or(inWindow(matches.acceptedAt), inWindow(matches.deliveredAt)),
      ),
    )
    .orderBy(asc(matches.acceptedAt), asc(matches.id))
    .all()
    .map((m) => {
      const deliveredInWindow = !!m.deliveredAt && m.deliveredAt >= start && m.deliveredAt < end
      return {
        ...m,
        at: deliveredInWindow ? m.deliveredAt! : m.acceptedAt!,
        quantity: deliveredInWindow && m.deliveredQuantity ? m.deliveredQuantity : m.quantity,
      }
    })
}

/** A score as every page shows it: one decimal, a dash where nothing was scored. */
export const fixed = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(1))
const signed = (v: number | null) => signedFigure(v, 1)
const trend = (v: number | null) => (v === null || v === 0 ? 'same' : v > 0 ? 'up' : 'down')

/**
 * The organization's capacity section: the first and latest assessments (or two chosen ones, earlier first) side by
 * side as chart and table, every assessment, and the help received in between. Undefined for anyone who may not see it.
 */
export function section(db: Db, user: CurrentUser | null, orgId: number, query: CompareQuery = {}, now = new Date()) {
  const org = orgRef(db, orgId)
  if (!org || !canSee(db, user, org)) return undefined
  const list = listForOrg(db, orgId)
  const base = {
    org,
    canRecord: canRecord(db, user, org),
    assessments: list.map((a) => ({ ...a, overallText: fixed(a.overall) })),
    grants: grantsOf(db, orgId),
  }
  if (!list.length) {
    const asked = query.before !== undefined || query.after !== undefined
    return { ...base, empty: true as const, problem: asked ? { key: 'capacity.compare.unknown' } : undefined }
  }
  const { before, after, problem } = chosenPair(list, query)
  const single = before.id === after.id
  const cmp = compare(before.scores, after.scores)
  const series = single
    ? [{ key: 'only', scores: after.dimensions }]
    : [
        { key: 'before', scores: before.dimensions },
        { key: 'after', scores: after.dimensions },
      ]
  const chart = barChart(series)
  const dayOf = (key: string) => (key === 'before' ? before.assessedOn : after.assessedOn)
  const windowEnd = single ? localToday(now) : after.assessedOn
  const received = matchesBetween(db, orgId, before.assessedOn, windowEnd)
  return {
    ...base,
    empty: false as const,
    problem,
    single,
    before: { id: before.id, assessedOn: before.assessedOn },
    after: { id: after.id, assessedOn: after.assessedOn },
    legend: chart.legend.map((l) => ({ ...l, assessedOn: dayOf(l.series) })),
    chart: {
      ...chart,
      groups: chart.groups.map((g) => ({
        ...g,
        bars: g.bars.map((b) => ({ ...b, text: fixed(b.value), assessedOn: dayOf(b.series) })),
      })),
    },
    dimensions: cmp.dimensions.map((d) => ({
      ...d,
      beforeText: fixed(d.before),
      afterText: fixed(d.after),
      changeText: signed(d.change),
      trend: trend(d.change),
    })),
    overall: {
      beforeText: fixed(cmp.overall.before),
      afterText: fixed(cmp.overall.after),
      changeText: signed(cmp.overall.change),
      trend: trend(cmp.overall.change),
    },
    window: { from: before.assessedOn, to: windowEnd },
    received,
  }
}
