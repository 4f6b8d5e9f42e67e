import path from 'node:path'
import Fastify from 'fastify'
import fastifyView from '@fastify/view'
import { createHandlebars, partialsIn } from '../../src/plugins/view.js'
import { FOCUS_GROUPS, ORG_KINDS } from '../../src/db/schema.js'
import { demoAreas } from '../../src/demo/district.js'
import { generateOrgs } from './orgs.js'
import { ROOT } from './paths.js'

/**
 * The ceiling: bare Fastify + handlebars rendering the app's own templates (same layout, same helpers,
 * same bytes) from data held in memory — no database, sessions, cookies, CSRF, security headers or
 * access policy. The real page's ratio to this is what the rest of the stack costs.
 */
export default async function ceilingApp(opts: Record<string, unknown>) {
  const perPage = Number(opts.perPage ?? 20)
  const total = Number(opts.total ?? 1000)
  const areaName = new Map(demoAreas.map((a) => [a.ref, { name: a.name, nameEn: a.name_en }]))
  const items = generateOrgs(perPage, 7).map((o, i) => ({
    id: i + 1,
    name: o.name,
    kind: o.kind,
    trust: o.trust,
    registered: o.registered,
    focus: o.focus,
    members: o.members,
    areaName: areaName.get(o.areaRef)?.name,
    areaNameEn: areaName.get(o.areaRef)?.nameEn,
  }))
  const areaOptions = demoAreas.map((a, i) => ({
    id: i + 1,
    label: `${'\u3000'.repeat(a.ref.split('-').length - 1)}${a.name}`,
  }))
  const layout = (data: Record<string, unknown>, url: string) => ({
    ...data,
    locale: 'zh-CN',
    otherLocale: 'en',
    path: url,
  })

  const app = Fastify({ logger: false })
  const root = path.join(ROOT, 'views')
  await app.register(fastifyView, {
    engine: { handlebars: createHandlebars() },
    root,
    production: true,
    options: { partials: partialsIn(path.join(root, 'partials')) },
  })
  app.get('/', async (req, reply) =>
    reply.view(
      'pages/home.hbs',
      layout(
        {
          stats: { orgs: total, communities: 11 },
          recentOrgs: items.slice(0, 6),
        },
        req.url,
      ),
      { layout: 'layouts/main.hbs' },
    ),
  )
  app.get('/orgs', async (req, reply) =>
    reply.view(
      'pages/orgs/index.hbs',
      layout(
        {
          items,
          total,
          page: 1,
          pages: Math.ceil(total / perPage),
          query: {},
          kinds: ORG_KINDS,
          focusGroups: FOCUS_GROUPS,
          areaOptions,
        },
        req.url,
      ),
      { layout: 'layouts/main.hbs' },
    ),
  )
  return app
}
