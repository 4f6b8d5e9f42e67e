import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as accounts from '../accounts/accounts.js'
import * as areas from '../areas/areas.js'
import * as events from '../events/events.js'
import { Type } from 'typebox'
import { formSchema, id32, idParam, oneOf, str } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { catalogue } from '../i18n/i18n.js'
import { signedIn } from '../plugins/auth.js'

const AreaBody = formSchema(
  {
    name: str(60, 1),
    nameEn: str(80),
    parentId: id32,
    ref: Type.String({ maxLength: 60, pattern: '^[A-Za-z0-9_.-]+$' }),
  },
  ['name'],
)
const SUBJECT_LINKS: Record<string, (id: number | null) => string | undefined> = {
  need: (id) => (id ? `/needs/${id}` : undefined),
  offer: (id) => (id ? `/offers/${id}` : undefined),
  match: (id) => (id ? `/matches/${id}` : undefined),
  organization: (id) => (id ? `/orgs/${id}` : undefined),
}

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showUsers = (req: FastifyRequest, reply: FastifyReply) =>
    reply.render('admin/users', {
      users: accounts.list(app.db).map((u) => ({ ...u, isSelf: u.id === signedIn(req).id })),
      roles: accounts.ROLES,
      areaOptions: areas.options(app.db, req.locale),
      title: req.t('nav.admin'),
      // In words, newest first; an action without words yet (a new slice's) shows its code rather than nothing.
      events: events.recent(app.db, { limit: 50 }).map((e) => ({
        ...e,
        actionText: catalogue(req.locale)[`event.${e.action}`] ?? e.action,
        subjectText: req.t(`event.subject.${e.subjectType}`),
        subjectLink: SUBJECT_LINKS[e.subjectType]?.(e.subjectId),
      })),
    })

  app.get('/admin', { config: { access: 'admin' } }, async (req, reply) => showUsers(req, reply))

  app.post(
    '/admin/users/:id/role',
    {
      config: { access: 'admin' },
      schema: { params: idParam, body: formSchema({ role: oneOf(accounts.ROLES) }, ['role']) },
    },
    async (req, reply) => {
      accounts.setRole(app.db, signedIn(req).id, req.params.id, req.body.role)
      reply.flash('admin.users.saved')
      return redirectAfterPost(req, reply, '/admin')
    },
  )

  app.post(
    '/admin/users/:id/disabled',
    {
      config: { access: 'admin' },
      schema: { params: idParam, body: formSchema({ disabled: oneOf(['1', '0']) }, ['disabled']) },
    },
    async (req, reply) => {
      accounts.setDisabled(app.db, signedIn(req).id, req.params.id, req.body.disabled === '1')
      reply.flash('admin.users.saved')
      return redirectAfterPost(req, reply, '/admin')
    },
  )

  app.post(
    '/admin/users/:id/areas',
    {
      config: { access: 'admin' },
      schema: { params: idParam, body: formSchema({ areaIds: Type.Array(id32, { maxItems: 50 }) }) },
    },
    async (req, reply) => {
      accounts.setBrokerAreas(app.db, signedIn(req).id, req.params.id, req.body.areaIds ?? [])
      reply.flash('admin.users.saved')
      return redirectAfterPost(req, reply, '/admin')
    },
  )

  const showAreas = (
    req: FastifyRequest,
    reply: FastifyReply,
    values: unknown = {},
    errors: FieldErrors = {},
    status = 200,
  ) =>
    reply.render(
      'admin/areas',
      {
        tree: areas.tree(app.db, req.locale),
        areaOptions: areas.options(app.db, req.locale).filter((a) => a.level !== 'community'),
        values,
        errors,
      },
      { status, partial: 'admin/area-form' },
    )

  app.get('/admin/areas', { config: { access: 'admin' } }, async (req, reply) => showAreas(req, reply))

  app.post(
    '/admin/areas',
    { config: { access: 'admin' }, schema: { body: AreaBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showAreas(req, reply, body, errors, status),
        () => {
          areas.create(app.db, signedIn(req).id, body)
          reply.flash('areas.created')
          return redirectAfterPost(req, reply, '/admin/areas')
        },
      )
    },
  )
}

export default adminRoutes
