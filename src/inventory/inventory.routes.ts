import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import { uploadBody } from '../capacity/evidence-upload.js'
import * as inventory from './inventory.js'
import * as invitations from './invitations.js'
import * as tasks from '../tasks/tasks.js'
import { qrSvg } from '../share/share.js'
import * as areaService from '../areas/areas.js'
import { PROSPECT_KINDS, PROSPECT_OUTCOMES } from '../db/schema.js'
import { categoryNames } from '../listings/listings.js'
import { parseUpload } from '../interchange/upload.js'
import { csvLine, toSpreadsheet } from '../interchange/csv.js'
import { date, fields as objectOf, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { Type } from 'typebox'
import { attachment, redirectAfterPost, submitForm } from '../shared/http.js'
import { localToday } from '../shared/time.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'
import { importPageView, importUpload } from './inventory.pages.js'

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

type Body = Record<string, string | number | undefined>
const input = (b: Body): inventory.ProspectInput => ({
  areaId: Number(b.areaId),
  name: String(b.name ?? ''),
  kind: String(b.kind ?? ''),
  has: b.has as string | undefined,
  category: (b.category as string) || null,
  place: b.place as string | undefined,
  contact: b.contact as string | undefined,
  lastContactedOn: (b.lastContactedOn as string) || null,
  outcome: b.outcome as string | undefined,
  notes: b.notes as string | undefined,
})

const inventoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const areaOptions = (req: FastifyRequest) =>
    areaService.options(app.db, req.locale).filter((a) => inventory.canSee(app.db, req.user, a.id))
  const categoryOptions = (req: FastifyRequest) =>
    Object.entries(categoryNames(app.db, req.locale)).map(([code, name]) => ({ code, name }))

  const showForm = (req: FastifyRequest, reply: FastifyReply, values: Body, errors: FieldErrors = {}, status = 200) =>
    reply.render(
      'inventory/form',
      {
        title: req.t(values.id ? 'inventory.edit.title' : 'inventory.new.title'),
        values,
        errors: Object.keys(errors).length ? errors : undefined,
        areaOptions: areaOptions(req),
        categories: categoryOptions(req),
        kinds: PROSPECT_KINDS,
        outcomes: PROSPECT_OUTCOMES,
        limits: L,
        today: localToday(new Date()),
      },
      { status },
    )

  const mine = (req: FastifyRequest) => {
    if (!areaOptions(req).length) throw new NotPermitted({ key: 'inventory.not_permitted' })
  }

  app.get(
    '/inventory',
    { config: { access: 'staff' }, schema: { querystring: ListQuery }, attachValidation: true },
    async (req, reply) => {
      mine(req)
      const q = req.validationError ? {} : req.query
      const names = categoryNames(app.db, req.locale)
      const rows = inventory.list(app.db, signedIn(req), { category: q.category, areaId: q.area }).map((p) => ({
        ...p,
        areaLabel: areaService.displayName({ name: p.areaName, nameEn: p.areaNameEn }, req.locale),
        categoryName: p.category ? names[p.category] : '',
      }))
      const query = new URLSearchParams(
        Object.entries(q)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      ).toString()
      return reply.render('inventory/index', {
        title: req.t('inventory.title'),
        rows,
        filter: q,
        query,
        areaOptions: areaOptions(req),
        categories: categoryOptions(req),
      })
    },
  )

  app.get(
    '/inventory.csv',
    { config: { access: 'staff' }, schema: { querystring: ListQuery }, attachValidation: true },
    async (req, reply) => {
      mine(req)
      const q = req.validationError ? {} : req.query
      const rows = inventory.toRows(inventory.list(app.db, signedIn(req), { category: q.category, areaId: q.area }))
      // A BOM so that Excel reads the Chinese as UTF-8; every cell kept from running as a formula.
      const csv =
        '\uFEFF' +
        [csvLine([...inventory.CSV_COLUMNS]), ...rows.map((r) => csvLine(r.map(toSpreadsheet)))].join('\r\n') +
        '\r\n'
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          attachment(
            `${req.t('inventory.file')}-${localToday(new Date())}.csv`,
            `assetbridge-inventory-${localToday(new Date())}.csv`,
          ),
        )
        .send(csv)
    },
  )

  app.get('/inventory/new', { config: { access: 'staff' } }, async (req, reply) => {
    mine(req)
    return showForm(req, reply, { outcome: 'not_contacted', kind: 'person' })
  })

  app.post(
    '/inventory',
    { config: { access: 'staff' }, schema: { body: NewBody }, attachValidation: true },
    async (req, reply) => {
      const b = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, b, errors, status),
        () => {
          inventory.create(app.db, signedIn(req), input(b))
          reply.flash('inventory.saved')
          return redirectAfterPost(req, reply, '/inventory')
        },
      )
    },
  )

  app.get('/inventory/:id', { config: { access: 'staff' }, schema: { params: idParam } }, async (req, reply) => {
    const p = inventory.findVisible(app.db, req.user, req.params.id)
    if (!p) throw new NotFound()
    const open = tasks.listFor(app.db, signedIn(req)).filter((t) => t.canAct && t.areaId === p.areaId)
    return showForm(req, reply, {
      ...p,
      lastContactedOn: p.lastContactedOn ?? '',
      category: p.category ?? '',
      invite: p.outcome !== 'became_holder',
      tasks: open,
    } as unknown as Body)
  })

  app.post(
    '/inventory/:id',
    { config: { access: 'staff' }, schema: { params: idParam, body: EditBody }, attachValidation: true },
    async (req, reply) => {
      const id = req.params.id
      if (!inventory.findVisible(app.db, req.user, id)) throw new NotFound()
      const b = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, { ...b, id }, errors, status),
        () => {
          inventory.update(app.db, signedIn(req), id, { ...input(b), version: Number(b.version) })
          reply.flash('inventory.saved')
          return redirectAfterPost(req, reply, '/inventory')
        },
      )
    },
  )

  // An invitation to give: the link is shown once (only its hash is kept), with its QR code to print or forward.
  app.post(
    '/inventory/:id/invitation',
    {
      config: { access: 'staff' },
      schema: { params: idParam, body: formSchema({ taskId: int(1, MAX_ID) }) },
      attachValidation: true,
    },
    async (req, reply) => {
      const p = inventory.findVisible(app.db, req.user, req.params.id)
      if (!p) throw new NotFound()
      const taskId = req.validationError ? undefined : req.body.taskId
      const { token, expiresAt } = invitations.issue(app.db, signedIn(req), p.id, { taskId })
      const url = `${app.config.baseUrl.replace(/\/+$/, '')}/give?token=${token}`
      // The secret is in the code, so it travels inside the page (a data: image) rather than from a URL of its own.
      const qr = `data:image/svg+xml;base64,${Buffer.from(await qrSvg(url)).toString('base64')}`
      return reply.render('inventory/invitation', {
        title: req.t('inventory.give.title'),
        prospect: p,
        url,
        qr,
        expiresAt,
      })
    },
  )

  // The invitation's link: a visitor signs in (or up) first; then the pre-filled offer form.
  app.get(
    '/give',
    { config: { access: 'anyone' }, schema: { querystring: objectOf({ token: str(100) }) }, attachValidation: true },
    async (req, reply) => {
      const token = req.validationError ? '' : (req.query.token ?? '')
      const found = invitations.find(app.db, token)
      if (!found)
        return reply.code(410).render('inventory/give-expired', { title: req.t('inventory.give.expired_title') })
      const form = `/offers/new?give=${encodeURIComponent(token)}`
      if (!req.user) return reply.redirect(`/signin?next=${encodeURIComponent(`/give?token=${token}`)}`, 303)
      return reply.redirect(form, 303)
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
        mine(req)
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
