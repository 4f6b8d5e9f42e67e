import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { signedIn } from '../plugins/auth.js'
import * as projects from './projects.js'
import * as projectReport from './project-report.js'
import * as areaService from '../areas/areas.js'
import { loadProject, projectPageView, projectsIndexView, projectWorkbook } from './projects.pages.js'
import { date, fields, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { localToday } from '../shared/time.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'

const MAX_ID = 2_147_483_647
const NewBody = formSchema(
  {
    name: str(projects.NAME_MAX, 2),
    funder: str(projects.FUNDER_MAX),
    areaId: int(1, MAX_ID),
    startsOn: date,
    endsOn: date,
    description: text(projects.DESCRIPTION_MAX),
  },
  ['name', 'areaId', 'startsOn', 'endsOn'],
)
const GroupBody = formSchema({ orgId: int(1, MAX_ID), version: int(1, MAX_ID) }, ['orgId', 'version'])
const LeaveBody = formSchema({ version: int(1, MAX_ID) }, ['version'])
const ConsentBody = formSchema({ orgId: int(1, MAX_ID), consent: oneOf(['yes', 'no']) }, ['orgId', 'consent'])
const GroupParams = fields({ id: int(1, MAX_ID), orgId: int(1, MAX_ID) }, ['id', 'orgId'])

type Body = Record<string, string | number | undefined>
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** The new project's fields as the service takes them (the form's names are the service's). */
const pick = (b: Static<typeof NewBody>) => ({
  name: b.name,
  funder: b.funder,
  areaId: b.areaId,
  startsOn: b.startsOn,
  endsOn: b.endsOn,
  description: b.description,
})
const projectsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The areas this user may run a project in: a broker's own, every area for an admin. */
  const areaOptions = (req: FastifyRequest) =>
    areaService.options(app.db, req.locale).filter((a) => projects.canManage(app.db, req.user, a.id))

  const showForm = (req: FastifyRequest, reply: FastifyReply, values: Body, errors: FieldErrors = {}, status = 200) =>
    reply.render(
      'projects/new',
      {
        title: req.t('projects.new.title'),
        values,
        errors: Object.keys(errors).length ? errors : undefined,
        areaOptions: areaOptions(req),
      },
      { status },
    )

  const found = (req: FastifyRequest, id: number) => {
    const r = projectReport.report(app.db, req.user, id)
    if (!r) throw new NotFound()
    return r
  }

  app.get('/projects', { config: { access: 'signed_in' } }, async (req, reply) => {
    const list = projects.list(app.db, signedIn(req))
    return reply.render('projects/index', projectsIndexView(list, areaOptions(req).length > 0, req.t, req.locale))
  })

  app.get('/projects/new', { config: { access: 'staff' } }, async (req, reply) => {
    if (!areaOptions(req).length) throw new NotPermitted({ key: 'projects.not_permitted' })
    return showForm(req, reply, { startsOn: localToday(new Date()) })
  })

  app.post(
    '/projects',
    { config: { access: 'staff' }, schema: { body: NewBody }, attachValidation: true },
    async (req, reply) => {
      const b = req.body
      const again = (errors: FieldErrors, status: number) => showForm(req, reply, b, errors, status)
      return submitForm(req, reply, again, () => {
        const input = { ...pick(b), orgIds: [] }
        const p = projects.create(app.db, signedIn(req), input)
        reply.flash('projects.created')
        return redirectAfterPost(req, reply, `/projects/${p.id}`)
      })
    },
  )

  app.get('/projects/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    reply.render('projects/show', projectPageView(loadProject(app.db, req.user, req.params.id, req.locale))),
  )

  app.get(
    '/projects/:id/workbook.xlsx',
    { config: { access: 'signed_in' }, schema: { params: idParam } },
    async (req, reply) => {
      const { name, file } = await projectWorkbook(loadProject(app.db, req.user, req.params.id, req.locale), req.t)
      return reply.type(XLSX).header('content-disposition', name).send(file)
    },
  )

  app.post(
    '/projects/:id/groups',
    { config: { access: 'staff' }, schema: { params: idParam, body: GroupBody }, attachValidation: true },
    async (req, reply) => {
      const r = found(req, req.params.id)
      const b = req.body
      if (req.validationError) return reply.flash('projects.choose_group').redirect(`/projects/${r.project.id}`, 303)
      projects.addGroup(app.db, signedIn(req), r.project.id, Number(b.orgId), Number(b.version))
      reply.flash('projects.group_added')
      return redirectAfterPost(req, reply, `/projects/${r.project.id}`)
    },
  )

  app.post(
    '/projects/:id/groups/:orgId/leave',
    { config: { access: 'staff' }, schema: { params: GroupParams, body: LeaveBody }, attachValidation: true },
    async (req, reply) => {
      const r = found(req, req.params.id)
      if (req.validationError) throw new NotFound()
      projects.removeGroup(app.db, signedIn(req), r.project.id, req.params.orgId, Number(req.body.version))
      reply.flash('projects.group_left')
      return redirectAfterPost(req, reply, `/projects/${r.project.id}`)
    },
  )

  app.post(
    '/projects/:id/consent',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ConsentBody }, attachValidation: true },
    async (req, reply) => {
      const r = found(req, req.params.id)
      if (req.validationError) throw new NotFound()
      const b = req.body
      projects.setConsent(app.db, signedIn(req), r.project.id, Number(b.orgId), b.consent === 'yes')
      reply.flash(b.consent === 'yes' ? 'projects.consent_given' : 'projects.consent_withdrawn')
      return redirectAfterPost(req, reply, `/projects/${r.project.id}`)
    },
  )
}

export default projectsRoutes
