import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as accounts from '../accounts/accounts.js'
import * as areas from '../areas/areas.js'
import { Type } from 'typebox'
import { formSchema, id32, idParam, oneOf, str } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { areaAdminView, loadAreaAdmin, loadUsers, usersView } from './admin.pages.js'
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
const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showUsers = (req: FastifyRequest, reply: FastifyReply) =>
    reply.render('admin/users', usersView(loadUsers(app.db, req.locale), signedIn(req), req.locale, req.t))

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

  const showAreas = (req: FastifyRequest, reply: FastifyReply, values = {}, errors: FieldErrors = {}, status = 200) =>
    reply.render('admin/areas', areaAdminView(loadAreaAdmin(app.db, req.locale), values, errors), {
      status,
      partial: 'admin/area-form',
    })

  app.get('/admin/areas', { config: { access: 'admin' } }, async (req, reply) => showAreas(req, reply))

  app.post(
    '/admin/areas',
    { config: { access: 'admin' }, schema: { body: AreaBody }, attachValidation: true },
    async (req, reply) => {
      const refill = (errors: FieldErrors, status: number) => showAreas(req, reply, req.body, errors, status)
      return submitForm(req, reply, refill, () => {
        areas.create(app.db, signedIn(req).id, req.body)
        return redirectAfterPost(req, reply.flash('areas.created'), '/admin/areas')
      })
    },
  )
}

export default adminRoutes
