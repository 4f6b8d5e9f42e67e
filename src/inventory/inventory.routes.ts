import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import { uploadBody } from '../capacity/evidence-upload.js'
import * as inventory from './inventory.js'
import * as invitations from './invitations.js'
import { qrSvg } from '../share/share.js'
import { PROSPECT_KINDS, PROSPECT_OUTCOMES } from '../db/schema.js'
import { parseUpload } from '../interchange/upload.js'
import { date, fields as objectOf, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { Type, type Static } from 'typebox'
import { attachment, redirectAfterPost, submitForm } from '../shared/http.js'
import { localToday } from '../shared/time.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import {
  giveAnswer,
  importPageView,
  importUpload,
  inventoryCsv,
  inventoryView,
  invitationUrl,
  invitationView,
  loadChoices,
  loadInventory,
  loadOwnChoices,
  loadProspect,
  NEW_VALUES,
  prospectFormView,
  storedValues,
  type FormValues,
} from './inventory.pages.js'

const MAX_ID = 2_147_483_647
const L = inventory.LIMITS
const fields = {
  areaId: int(1, MAX_ID),
  name: str(L.name, 1),
  kind: oneOf(PROSPECT_KINDS),
  has: text(L.has),
  category: str(40),
  place: str(L.place),
  contact: str(L.contact),
  lastContactedOn: Type.Union([date, Type.String({ maxLength: 0 })]),
  outcome: oneOf(PROSPECT_OUTCOMES),
  notes: text(L.notes),
}
const NewBody = formSchema(fields, ['areaId', 'name', 'kind'])
const EditBody = formSchema({ ...fields, version: int(1, MAX_ID) }, ['areaId', 'name', 'kind', 'version'])
const ListQuery = objectOf({ category: str(40), area: int(1, MAX_ID) })
const UploadBodySchema = uploadBody(1)
const InvitationBody = formSchema({ taskId: int(1, MAX_ID) })
const GiveQuery = objectOf({ token: str(100) })

type Fields = Static<typeof NewBody>
/** The form's fields → the service's input: an empty category or date is none. */
export const input = (b: Fields): inventory.ProspectInput => ({
  areaId: b.areaId,
  name: b.name,
  kind: b.kind,
  has: b.has,
  category: b.category || null,
  place: b.place,
  contact: b.contact,
  lastContactedOn: b.lastContactedOn || null,
  outcome: b.outcome,
  notes: b.notes,
})

const inventoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    values: FormValues,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const choices = loadChoices(app.db, req.user, req.locale)
    return reply.render('inventory/form', prospectFormView(choices, values, errors, req.t, localToday(new Date())), {
      status,
    })
  }

  /** A prospect form sent: saved and back to the list, or the form again with what to fix. */
  const onForm = (req: FastifyRequest, reply: FastifyReply, values: FormValues, save: () => unknown) =>
    submitForm(
      req,
      reply,
      (errors, status) => showForm(req, reply, values, errors, status),
      () => {
        save()
        return redirectAfterPost(req, reply.flash('inventory.saved'), '/inventory')
      },
    )

  app.get(
    '/inventory',
    { config: { access: 'staff' }, schema: { querystring: ListQuery }, attachValidation: true },
    async (req, reply) => {
      const data = loadInventory(app.db, signedIn(req), req.validationError ? {} : req.query, req.locale)
      return reply.render('inventory/index', inventoryView(data, req.t, req.locale))
    },
  )

  app.get(
    '/inventory.csv',
    { config: { access: 'staff' }, schema: { querystring: ListQuery }, attachValidation: true },
    async (req, reply) => {
      const { rows } = loadInventory(app.db, signedIn(req), req.validationError ? {} : req.query, req.locale)
      const today = localToday(new Date())
      const file = attachment(`${req.t('inventory.file')}-${today}.csv`, `assetbridge-inventory-${today}.csv`)
      return reply.type('text/csv; charset=utf-8').header('content-disposition', file).send(inventoryCsv(rows))
    },
  )

  app.get('/inventory/new', { config: { access: 'staff' } }, async (req, reply) => {
    loadOwnChoices(app.db, req.user, req.locale)
    return showForm(req, reply, NEW_VALUES)
  })

  app.post(
    '/inventory',
    { config: { access: 'staff' }, schema: { body: NewBody }, attachValidation: true },
    async (req, reply) => onForm(req, reply, req.body, () => inventory.create(app.db, signedIn(req), input(req.body))),
  )

  app.get('/inventory/:id', { config: { access: 'staff' }, schema: { params: idParam } }, async (req, reply) => {
    const { prospect, tasks } = loadProspect(app.db, signedIn(req), req.params.id)
    return showForm(req, reply, storedValues(prospect, tasks))
  })

  app.post(
    '/inventory/:id',
    { config: { access: 'staff' }, schema: { params: idParam, body: EditBody }, attachValidation: true },
    async (req, reply) => {
      const id = req.params.id
      if (!inventory.findVisible(app.db, req.user, id)) throw new NotFound()
      const save = () => inventory.update(app.db, signedIn(req), id, { ...input(req.body), version: req.body.version })
      return onForm(req, reply, { ...req.body, id }, save)
    },
  )

  // An invitation to give: the link is shown once (only its hash is kept), with its QR code to print or forward.
  app.post(
    '/inventory/:id/invitation',
    { config: { access: 'staff' }, schema: { params: idParam, body: InvitationBody }, attachValidation: true },
    async (req, reply) => {
      const { prospect } = loadProspect(app.db, signedIn(req), req.params.id)
      const taskId = req.validationError ? undefined : req.body.taskId
      const { token, expiresAt } = invitations.issue(app.db, signedIn(req), prospect.id, { taskId })
      const url = invitationUrl(app.config.baseUrl, token)
      return reply.render('inventory/invitation', invitationView(req.t, prospect, url, await qrSvg(url), expiresAt))
    },
  )

  // The invitation's link: a visitor signs in (or up) first; then the pre-filled offer form.
  app.get(
    '/give',
    { config: { access: 'anyone' }, schema: { querystring: GiveQuery }, attachValidation: true },
    async (req, reply) => {
      const token = req.validationError ? '' : (req.query.token ?? '')
      const answer = giveAnswer(!!invitations.find(app.db, token), !!req.user, token)
      if (answer.gone)
        return reply.code(410).render('inventory/give-expired', { title: req.t('inventory.give.expired_title') })
      return reply.redirect(answer.redirect, 303)
    },
  )

  // A spreadsheet in: the ledger's multipart machinery (CSRF before any file part is read), one CSV of at most 1 MB.
  await app.register(async (scope) => {
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>()
    upload.removeAllContentTypeParsers()
    upload.addContentTypeParser('multipart/form-data', async (req: FastifyRequest, payload: Readable) =>
      parseUpload(req.headers, payload, (token) => app.csrfTokenValid(req, token), { fileBytes: 1_048_576, files: 1 }),
    )
    upload.post(
      '/inventory/import',
      { config: { access: 'staff', streamedBody: true }, schema: { body: UploadBodySchema } },
      async (req, reply) => {
        loadOwnChoices(app.db, req.user, req.locale)
        const result = importUpload(app.db, signedIn(req), req.body.files)
        if (result.problems.length)
          return reply.code(422).render('inventory/import', importPageView(req.t, result.problems))
        reply.flash('inventory.imported', { count: result.created })
        return redirectAfterPost(req, reply, '/inventory')
      },
    )
  })
}

export default inventoryRoutes
