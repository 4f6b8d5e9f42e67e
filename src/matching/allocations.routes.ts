import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { desc, eq } from 'drizzle-orm'
import { allocationRuns, organizations } from '../db/schema.js'
import * as matching from './matching.js'
import * as areas from '../areas/areas.js'
import { presenter } from './present.js'
import { allCategories } from '../listings/listings.js'
import { categoryNames } from '../listings/forms.js'
import { formSchema, idParam, int, str } from '../shared/forms.js'
import { redirectAfterPost } from '../shared/http.js'
import { NotFound } from '../shared/errors.js'
import { applyReview, coverageByCategory, reviewRows, rowKey, type StoredResult } from './allocation-review.js'
import type { CurrentUser } from '../accounts/accounts.js'

const id32 = int(1, 2_147_483_647)
const RunBody = formSchema({ areaIds: { type: 'array', items: id32, maxItems: 50 }, category: str(40) })
const rowKeys = { type: 'array', items: { type: 'string', pattern: '^\\d+:\\d+$' }, maxItems: 20_000 }
const ApplyBody = formSchema({ keep: rowKeys, notRelevant: rowKeys })

/** A broker allocates within the areas they cover, or the part of them they pick. */
function scope(user: CurrentUser, chosen: number[] | undefined): number[] {
  const picked = (chosen ?? []).filter((id) => user.brokerAreaIds.includes(id))
  return picked.length ? picked : user.brokerAreaIds
}

const allocationsRoutes: FastifyPluginAsync = async (app) => {
  const areaChoices = (req: FastifyRequest) => {
    return areas.options(app.db, req.locale).filter((a) => req.user!.brokerAreaIds.includes(a.id))
  }

  app.get('/allocations', { config: { access: 'broker' } }, async (req, reply) => {
    const runs = app.db.select({ id: allocationRuns.id, createdAt: allocationRuns.createdAt, appliedAt: allocationRuns.appliedAt })
      .from(allocationRuns).where(eq(allocationRuns.brokerId, req.user!.id)).orderBy(desc(allocationRuns.id)).limit(20).all()
    return reply.render('matching/allocations', { form: true, runs, areaChoices: areaChoices(req), categories: allCategories(app.db), categoryNames: categoryNames(app.db, req.locale) })
  })

  app.post('/allocations', { config: { access: 'broker' }, schema: { body: RunBody } }, async (req, reply) => {
    const body = req.body as { areaIds?: number[]; category?: string }
    const run = matching.runAllocation(app.db, req.user!, { areaIds: scope(req.user!, body.areaIds), category: body.category ?? null })
    return redirectAfterPost(req, reply, `/allocations/${run.id}`)
  })

  const showRun = (req: FastifyRequest, reply: FastifyReply, id: number) => {
    const run = matching.findRun(app.db, req.user!, id)
    if (!run) throw new NotFound()
    const result = run.result as unknown as StoredResult
    const { proposal, baseline, ms } = result
    const rows = reviewRows(app.db, { createdAt: run.createdAt, result }, req.locale)
    const orgNames = new Map(app.db.select({ id: organizations.id, name: organizations.name }).from(organizations).all().map((o) => [o.id, o.name]))
    const say = presenter(app.db, req.locale)
    const byKey = new Map(rows.map((r) => [r.key, r]))
    const share = (f: StoredResult['proposal']['fairness']) => ({ ...f, fairShare: f.fairShare ?? null })
    return reply.render('matching/allocation', {
      run: { id: run.id, createdAt: run.createdAt, appliedAt: run.appliedAt, ms },
      rows, blockedCount: rows.filter((r) => r.blocked).length,
      byCategory: coverageByCategory(app.db, proposal.coverage.byCategory, baseline.coverage.byCategory),
      ours: share(proposal.fairness), fcfs: share(baseline.fairness),
      unserved: proposal.unserved.map((u) => ({ org: orgNames.get(u.orgId), text: say.message(u) })),
      skipped: (result.applied?.skipped ?? []).map((s) => ({ ...s, row: byKey.get(rowKey(s)), text: req.t(s.key, s.params) })),
      categoryNames: categoryNames(app.db, req.locale), form: true,
    })
  }

  app.get('/allocations/:id', { config: { access: 'broker' }, schema: { params: idParam } }, async (req, reply) => showRun(req, reply, (req.params as { id: number }).id))

  // Reviewed rows become proposed matches, each checked again against today's capacity and rules; rows that
  // cannot are kept on the run with why, and rows marked "not relevant" are recorded as the broker's judgement.
  app.post('/allocations/:id/proposals', { config: { access: 'broker' }, schema: { params: idParam, body: ApplyBody } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    const run = matching.findRun(app.db, req.user!, id)
    if (!run) throw new NotFound()
    const body = req.body as { keep?: string[]; notRelevant?: string[] }
    const done = applyReview(app.db, req.user!, { id, result: run.result as unknown as StoredResult }, new Set(body.keep ?? []), new Set(body.notRelevant ?? []))
    reply.flash(done.skipped.length ? 'alloc.applied_skipped' : 'alloc.applied', { count: done.created, skipped: done.skipped.length, marked: done.notRelevant })
    return redirectAfterPost(req, reply, `/allocations/${id}`)
  })
}

export default allocationsRoutes
