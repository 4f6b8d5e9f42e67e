import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { desc, eq, inArray } from 'drizzle-orm'
import { allocationRuns, needs, offers, organizations } from '../db/schema.js'
import * as matching from './matching.js'
import * as matches from '../brokering/matches.js'
import * as areas from '../areas/areas.js'
import { presenter } from './present.js'
import { allCategories } from '../listings/listings.js'
import { categoryNames } from '../listings/forms.js'
import { formSchema, idParam, int, str } from '../shared/forms.js'
import { redirectAfterPost } from '../shared/http.js'
import { DomainError, NotFound } from '../shared/errors.js'
import type { CurrentUser } from '../accounts/accounts.js'

const id32 = int(1, 2_147_483_647)
const RunBody = formSchema({ areaIds: { type: 'array', items: id32, maxItems: 50 }, category: str(40) })
const ApplyBody = formSchema({ keep: { type: 'array', items: { type: 'string', pattern: '^\\d+:\\d+$' }, maxItems: 20_000 } })

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
    const { proposal, baseline, ms } = run.result
    const needIds = [...new Set(proposal.assignments.map((a) => a.needId))], offerIds = [...new Set(proposal.assignments.map((a) => a.offerId))]
    const needRows = new Map((needIds.length ? app.db.select({ id: needs.id, title: needs.title, unit: needs.unit, org: organizations.name }).from(needs).innerJoin(organizations, eq(organizations.id, needs.orgId)).where(inArray(needs.id, needIds)).all() : []).map((n) => [n.id, n]))
    const offerRows = new Map((offerIds.length ? app.db.select({ id: offers.id, title: offers.title, org: organizations.name }).from(offers).innerJoin(organizations, eq(organizations.id, offers.orgId)).where(inArray(offers.id, offerIds)).all() : []).map((o) => [o.id, o]))
    const orgNames = new Map(app.db.select({ id: organizations.id, name: organizations.name }).from(organizations).all().map((o) => [o.id, o.name]))
    const say = presenter(app.db, req.locale)
    const pct = (a: number, d: number) => (d ? Math.round((a / d) * 1000) / 10 : 0)
    return reply.render('matching/allocation', {
      run: { id: run.id, createdAt: run.createdAt, appliedAt: run.appliedAt, ms },
      rows: proposal.assignments.map((a) => ({ ...a, key: `${a.needId}:${a.offerId}`, need: needRows.get(a.needId), offer: offerRows.get(a.offerId) })),
      byCategory: Object.entries(proposal.coverage.byCategory).map(([code, c]) => ({ code, ...c, percent: pct(c.allocated, c.demand), unit: allCategories(app.db).find((x) => x.code === code)?.unit })),
      ours: { ...proposal.fairness, allocated: proposal.coverage.allocated, demand: proposal.coverage.demand, percent: pct(proposal.coverage.allocated, proposal.coverage.demand), gini: proposal.fairness.gini.toFixed(3) },
      fcfs: { ...baseline.fairness, allocated: baseline.coverage.allocated, demand: baseline.coverage.demand, percent: pct(baseline.coverage.allocated, baseline.coverage.demand), gini: baseline.fairness.gini.toFixed(3) },
      unserved: proposal.unserved.map((u) => ({ org: orgNames.get(u.orgId), text: say.message(u) })),
      categoryNames: categoryNames(app.db, req.locale), form: true,
    })
  }

  app.get('/allocations/:id', { config: { access: 'broker' }, schema: { params: idParam } }, async (req, reply) => showRun(req, reply, (req.params as { id: number }).id))

  // Reviewed rows become proposed matches, each checked again against today's capacity and rules.
  app.post('/allocations/:id/proposals', { config: { access: 'broker' }, schema: { params: idParam, body: ApplyBody } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    const run = matching.findRun(app.db, req.user!, id)
    if (!run) throw new NotFound()
    const keep = new Set((req.body as { keep?: string[] }).keep ?? [])
    let created = 0
    for (const a of run.result.proposal.assignments) {
      if (!keep.has(`${a.needId}:${a.offerId}`)) continue
      try {
        const at = new Date()
        const match = matches.open(app.db, req.user!, 'propose', { needId: a.needId, offerId: a.offerId, quantity: a.quantity, idempotencyKey: `alloc-${id}-${a.needId}-${a.offerId}` }, at, { origin: 'allocation' })
        // A row applied before comes back as it was made (idempotency key): it is not created again, nor counted.
        if (match.createdAt === at.toISOString()) created++
      } catch (err) {
        if (!(err instanceof DomainError)) throw err
      }
    }
    app.db.update(allocationRuns).set({ appliedAt: new Date().toISOString() }).where(eq(allocationRuns.id, id)).run()
    reply.flash('alloc.applied', { count: created })
    return redirectAfterPost(req, reply, `/allocations/${id}`)
  })
}

export default allocationsRoutes
