import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Plugin } from 'ajv'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import type { Config } from './config.js'
import './types.js'
import dbPlugin from './plugins/db.js'
import headersPlugin from './plugins/headers.js'
import sessionPlugin, { sessionSecret } from './plugins/session.js'
import i18nPlugin from './plugins/i18n.js'
import authPlugin from './plugins/auth.js'
import viewPlugin from './plugins/view.js'
import securityPlugin from './plugins/security.js'
import errorsPlugin, { refuseUrl } from './plugins/errors.js'
import homeRoutes from './home/home.routes.js'
import accountsRoutes from './accounts/accounts.routes.js'
import orgsRoutes from './orgs/orgs.routes.js'
import areasRoutes from './areas/areas.routes.js'
import adminRoutes from './admin/admin.routes.js'
import needsRoutes from './needs/needs.routes.js'
import offersRoutes from './offers/offers.routes.js'
import interchangeRoutes from './interchange/interchange.routes.js'
import listingsApi from './listings/listings.api.js'
import searchRoutes from './listings/search.routes.js'
import matchesRoutes from './brokering/matches.routes.js'
import allocationsRoutes from './matching/allocations.routes.js'
import deskRoutes from './brokering/desk.routes.js'
import mapRoutes from './impact/map.routes.js'
import reportsRoutes from './reports/reports.routes.js'
import reportsApi from './reports/reports.api.js'
import reportsNav from './reports/nav.js'
import matchesApi from './brokering/matches.api.js'
import requestsApi from './brokering/requests.api.js'
import shareRoutes from './share/share.routes.js'
import matchingApi from './matching/matching.api.js'
import unreadBadge from './notifications/unread.js'
import notificationsRoutes from './notifications/notifications.routes.js'
import capacityRoutes from './capacity/capacity.routes.js'
import evidenceRoutes from './capacity/evidence.routes.js'
import checkinsRoutes from './brokering/checkins.routes.js'
import projectsApi from './capacity/projects.api.js'
import projectsRoutes from './capacity/projects.routes.js'
import tasksRoutes from './tasks/tasks.routes.js'
import tasksApi from './tasks/tasks.api.js'
import inventoryRoutes from './inventory/inventory.routes.js'
import topicsRoutes from './topics/topics.routes.js'
import vocabularyRoutes from './admin/vocabulary.routes.js'
import membersRoutes from './members/members.routes.js'
import noticeRoutes from './funds/notice.routes.js'
import deliveryRoutes from './funds/delivery.routes.js'
import fundReportsRoutes from './funds/fund-reports.routes.js'
import fundsApi from './funds/funds.api.js'
import callsApi from './funds/calls.api.js'
import callsRoutes from './funds/calls.routes.js'
import applicationsRoutes from './funds/applications.routes.js'
import * as jobs from './jobs/jobs.js'
import { startScheduler } from './scheduler/scheduler.js'
import { isCalendarDate } from './shared/time.js'
import { textKeyword } from './shared/forms.js'
import { buildSerializer, buildValidator } from './plugins/schema-compilers.js'

/** Builds the whole app from a config; never listens (server.ts does), so tests inject into the real thing. */
export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: [
              'req.headers.cookie',
              'req.headers.authorization',
              'req.headers["x-csrf-token"]',
              'body.password',
              'body._csrf',
            ],
          },
    ajv: {
      customOptions: {
        allErrors: true,
        coerceTypes: 'array',
        removeAdditional: true,
        formats: { 'calendar-date': isCalendarDate },
      },
      plugins: [((ajv) => ajv.addKeyword(textKeyword)) as Plugin<unknown>],
    },
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
    bodyLimit: 1_048_576,
    // Only the configured proxy's X-Forwarded-* count (never a hop count, never everyone): see config.trustProxy.
    trustProxy: config.trustProxy,
    frameworkErrors: refuseUrl(() => app),
  })
  app.decorate('config', config)
  await app.register(dbPlugin)
  // Services read it from the database (a match schedules its reminder inside its own transaction).
  jobs.setReminderDays(app.db, config.requestReminderDays)
  await app.register(cookie, { secret: sessionSecret(app.db, config.sessionSecret) })
  await app.register(headersPlugin, {
    helmet: {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      hsts: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'same-origin' },
    },
  })
  // Static files are public and registered before the access policy, which governs application routes.
  await app.register(async (pub) => {
    // Whatever the file server refuses (a dotfile, a directory, a path with ..) is simply not there: 404, not a 403
    // that confirms something exists.
    pub.setErrorHandler(async (err: { statusCode?: number }, _req, reply) => {
      if (err.statusCode && err.statusCode < 500) return reply.callNotFound()
      throw err
    })
    await pub.register(fastifyStatic, {
      root: path.join(config.root, 'public'),
      prefix: '/public/',
      index: false,
      dotfiles: 'ignore',
      maxAge: '1h',
    })
  })
  await app.register(formbody)
  await app.register(rateLimit, { global: false })
  await app.register(sessionPlugin)
  await app.register(i18nPlugin)
  await app.register(authPlugin)
  await app.register(viewPlugin)
  await app.register(securityPlugin)
  await app.register(errorsPlugin)
  await app.register(unreadBadge)
  await app.register(reportsNav)

  // Blank form fields and query parameters mean "not given": dropping them lets `required` and optional
  // fields mean what they say (a filter form always sends `area=` when no area is chosen).
  app.addHook('preValidation', async (req) => {
    if (req.query && typeof req.query === 'object') {
      const query = req.query as Record<string, unknown>
      for (const [k, v] of Object.entries(query)) if (v === '') delete query[k]
    }
    if (
      req.body &&
      typeof req.body === 'object' &&
      !Array.isArray(req.body) &&
      req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
    ) {
      const body = req.body as Record<string, unknown>
      for (const [k, v] of Object.entries(body)) {
        if (typeof v === 'string' && v.trim() === '') delete body[k]
        if (Array.isArray(v)) body[k] = v.filter((x) => !(typeof x === 'string' && x.trim() === ''))
      }
    }
  })

  await app.register(homeRoutes)
  await app.register(accountsRoutes)
  await app.register(orgsRoutes)
  await app.register(areasRoutes)
  await app.register(adminRoutes)
  await app.register(needsRoutes)
  await app.register(offersRoutes)
  await app.register(interchangeRoutes)
  await app.register(searchRoutes)
  await app.register(listingsApi)
  await app.register(matchesRoutes)
  await app.register(allocationsRoutes)
  await app.register(deskRoutes)
  await app.register(mapRoutes)
  await app.register(reportsRoutes)
  await app.register(reportsApi)
  await app.register(matchesApi)
  await app.register(requestsApi)
  await app.register(shareRoutes)
  await app.register(matchingApi)
  await app.register(notificationsRoutes)
  await app.register(capacityRoutes)
  await app.register(evidenceRoutes)
  await app.register(checkinsRoutes)
  await app.register(projectsApi)
  await app.register(projectsRoutes)
  await app.register(tasksRoutes)
  await app.register(tasksApi)
  await app.register(inventoryRoutes)
  await app.register(topicsRoutes)
  await app.register(membersRoutes)
  await app.register(vocabularyRoutes)
  await app.register(noticeRoutes)
  await app.register(deliveryRoutes)
  await app.register(fundReportsRoutes)
  await app.register(fundsApi)
  await app.register(callsApi)
  await app.register(callsRoutes)
  await app.register(applicationsRoutes)

  // Reminders, digests, expiry and mail run in this process when asked to; started once the app is ready
  // (after server.ts has loaded demo data), stopped before the database closes.
  if (config.scheduler) {
    let scheduler: ReturnType<typeof startScheduler> | undefined
    app.addHook('onReady', async () => {
      scheduler = startScheduler(app.db, config, app.log)
    })
    app.addHook('preClose', async () => {
      await scheduler?.stop()
    })
  }
  return app
}
