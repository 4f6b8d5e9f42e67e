import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { signedIn } from '../plugins/auth.js'
import * as areas from '../areas/areas.js'
import { fields, str } from '../shared/forms.js'
import { count, nullable, Refusal } from '../shared/json.js'
import * as reports from './reports.js'
import type { Report } from './figures.js'

// The report's JSON, field for field (src/shared/json.ts says why). A share or a mean is a fraction, null while
// there is nothing to divide by; a median is in days (fractional), null while nothing was matched.
const share = nullable(Type.Number())
const days = nullable(Type.Number())
const ReportJson = Type.Object({
  area: Type.Object({ ref: nullable(Type.String()), name: Type.String() }),
  period: Type.Object({ from: Type.String(), to: Type.String() }),
  demand: Type.Array(
    Type.Object({
      category: Type.String(),
      unit: Type.String(),
      needs: count,
      posted: count,
      met: count,
      share,
      fully_met: count,
    }),
  ),
  waits: Type.Object({
    posted: count,
    matched: count,
    unmatched: count,
    median_days: days,
    buckets: Type.Array(Type.Object({ up_to: count, from: count, count })),
    beyond: count,
    by_category: Type.Array(Type.Object({ category: Type.String(), matched: count, median_days: days })),
  }),
  requests: Type.Object({
    total: count,
    in_time: count,
    late: count,
    overdue: count,
    pending: count,
    withdrawn: count,
    deadline_days: count,
    share,
  }),
  utilization: Type.Array(
    Type.Object({
      category: Type.String(),
      unit: Type.String(),
      offers: count,
      offered: count,
      used: count,
      share,
      untouched: count,
    }),
  ),
  orgs: Type.Object({ asking: count, served: count, under_resourced: count, under_resourced_share: share }),
  feedback: Type.Object({
    count,
    mean: share,
    need: Type.Object({ count, mean: share }),
    offer: Type.Object({ count, mean: share }),
    distribution: Type.Array(Type.Object({ rating: count, count })),
  }),
  checkins: Type.Object({
    total: count,
    continues: count,
    changed: count,
    ended: count,
    ended_by: Type.Array(Type.Object({ reason: Type.String(), count })),
  }),
})

/** The report as the API spells it: snake_case, the same figures as the page's. */
function reportJson(r: Report): Omit<Static<typeof ReportJson>, 'area' | 'period'> {
  const { demand, waits, requests, utilization, orgs, feedback, checkins } = r
  return {
    demand: demand.map((d) => ({
      category: d.category,
      unit: d.unit,
      needs: d.needs,
      posted: d.posted,
      met: d.met,
      share: d.share,
      fully_met: d.fullyMet,
    })),
    waits: {
      posted: waits.posted,
      matched: waits.matched,
      unmatched: waits.unmatched,
      median_days: waits.medianDays,
      buckets: waits.buckets.map((b) => ({ up_to: b.upTo, from: b.from, count: b.count })),
      beyond: waits.beyond,
      by_category: waits.byCategory.map((c) => ({
        category: c.category,
        matched: c.matched,
        median_days: c.medianDays,
      })),
    },
    requests: {
      total: requests.total,
      in_time: requests.inTime,
      late: requests.late,
      overdue: requests.overdue,
      pending: requests.pending,
      withdrawn: requests.withdrawn,
      deadline_days: requests.deadlineDays,
      share: requests.share,
    },
    utilization: utilization.map((u) => ({
      category: u.category,
      unit: u.unit,
      offers: u.offers,
      offered: u.offered,
      used: u.used,
      share: u.share,
      untouched: u.untouched,
    })),
    orgs: {
      asking: orgs.asking,
      served: orgs.served,
      under_resourced: orgs.underResourced,
      under_resourced_share: orgs.underResourcedShare,
    },
    feedback: {
      count: feedback.count,
      mean: feedback.mean,
      need: { count: feedback.need.count, mean: feedback.need.mean },
      offer: { count: feedback.offer.count, mean: feedback.offer.mean },
      distribution: feedback.distribution.map((d) => ({ rating: d.rating, count: d.count })),
    },
    checkins: {
      total: checkins.total,
      continues: checkins.continues,
      changed: checkins.changed,
      ended: checkins.ended,
      ended_by: checkins.endedBy.map((e) => ({ reason: e.reason, count: e.count })),
    },
  }
}

/** The impact report for scripts: the area by its ref (as the listing API filters), figures as numbers, shares as fractions. */
const reportsApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/reports',
    {
      config: { access: 'signed_in' },
      schema: {
        querystring: fields({ area: str(60), from: str(10), to: str(10) }),
        response: { 200: ReportJson, '4xx': Refusal },
      },
    },
    async (req) => {
      const query = req.query
      const area = query.area === undefined ? undefined : (areas.byRef(app.db, query.area)?.id ?? 0)
      const r = reports.resolve(app.db, signedIn(req), { area, from: query.from, to: query.to }, new Date())
      return {
        area: { ref: r.area.ref, name: areas.displayName(r.area, req.locale) },
        period: r.period,
        ...reportJson(reports.build(app.db, r.area.path, r.period)),
      }
    },
  )
}

export default reportsApi
