import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import * as capacity from './capacity.js'
import * as orgs from '../orgs/orgs.js'
import { INDICATOR_CODES, NOTE_MAX, OVERALL_NOTE_MAX, PARTICIPANTS_MAX, type AssessmentInput } from './indicators.js'
import { date, fields as objectOf, formSchema, idParam, int, oneOf, text } from '../shared/forms.js'
import { Type } from 'typebox'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { localToday } from '../shared/time.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'
import {
  assessmentFormView,
  assessmentPageView,
  loadAssessmentPage,
  orgCapacityView,
  type FormValues,
} from './capacity.pages.js'

const MAX_ID = 2_147_483_647
const fields = {
  assessedOn: date,
  withLeader: oneOf(['on', 'true', '1']),
  participants: text(PARTICIPANTS_MAX),
  note: text(OVERALL_NOTE_MAX),
  ...Object.fromEntries(
    INDICATOR_CODES.flatMap((c) => [
      [`score_${c}`, int(1, 5)],
      [`note_${c}`, text(NOTE_MAX)],
    ]),
  ),
}
const required = ['assessedOn', ...INDICATOR_CODES.map((c) => `score_${c}`)]
// One score and one note per indicator: typed as the flat form it is.
const NewBody = Type.Unsafe<Body>(formSchema(fields, required))
// Without the version it was loaded at, a save could silently overwrite someone else's edit.
const EditBody = Type.Unsafe<Body>(formSchema({ ...fields, version: int(1, MAX_ID) }, [...required, 'version']))
const CompareQuery = objectOf({ before: int(1, MAX_ID), after: int(1, MAX_ID) })
type Body = FormValues

const fromForm = (b: Body): AssessmentInput => ({
  assessedOn: String(b.assessedOn ?? ''),
  withLeader: b.withLeader !== undefined,
  participants: b.participants as string | undefined,
  note: b.note as string | undefined,
  scores: Object.fromEntries(INDICATOR_CODES.map((c) => [c, b[`score_${c}`] as number])),
  notes: Object.fromEntries(INDICATOR_CODES.map((c) => [c, (b[`note_${c}`] as string | undefined) ?? ''])),
})

const toForm = (a: capacity.Assessment): Body => ({
  id: a.id,
  orgId: a.orgId,
  version: a.version,
  assessedOn: a.assessedOn,
  withLeader: a.withLeader ? 'on' : undefined,
  participants: a.participants,
  note: a.note,
  ...Object.fromEntries(
    INDICATOR_CODES.flatMap((c) => [
      [`score_${c}`, a.scores[c]],
      [`note_${c}`, a.notes[c] ?? ''],
    ]),
  ),
})

/**
 * The assessment's page, with its evidence files; a refused upload comes back here (422) with what to fix above the
 * upload form.
 */
export function renderAssessment(
  req: FastifyRequest,
  reply: FastifyReply,
  a: NonNullable<ReturnType<typeof capacity.findVisible>>,
  evidenceErrors?: FieldErrors,
  status = 200,
) {
  const { data, status: answer } = assessmentPageView(
    loadAssessmentPage(req.server.db, req.user, a),
    evidenceErrors,
    status,
  )
  return reply.render('capacity/show', data, { status: answer })
}

const capacityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    page: 'new' | 'edit',
    org: { id: number; name: string },
    values: Body,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const { data, status: answer } = assessmentFormView(org, values, errors, localToday(new Date()), status)
    return reply.render(`capacity/${page}`, data, { status: answer, partial: 'capacity/form' })
  }

  /** The organization, if this user may record an assessment of it: 404 when there is none, 403 when not theirs to assess. */
  const recordable = (req: FastifyRequest, id: number) => {
    const org = orgs.get(app.db, id)
    if (!org) throw new NotFound()
    if (!capacity.canRecord(app.db, req.user, org)) throw new NotPermitted({ key: 'capacity.not_permitted' })
    return org
  }

  /** The assessment, if this user may change it: 404 when they may not even see it, 403 when they see but did not assess it. */
  const editable = (req: FastifyRequest, id: number) => {
    const a = capacity.findVisible(app.db, req.user, id)
    if (!a) throw new NotFound()
    if (!capacity.canEdit(req.user, a)) throw new NotPermitted({ key: 'capacity.not_assessor' })
    return a
  }

  // The organization's capacity section on a page of its own: the comparison form lands here without JavaScript,
  // and htmx swaps just the section in place.
  // A choice that cannot be compared (not a number, not this organization's, the same one twice) is answered 422
  // with the first and latest shown and the reason above them; htmx swaps a 422 in like any answer.
  app.get(
    '/orgs/:id/capacity',
    { config: { access: 'signed_in' }, schema: { params: idParam, querystring: CompareQuery }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError?.validationContext === 'params') throw new NotFound()
      const { id } = req.params
      const badQuery = !!req.validationError
      const section = capacity.section(app.db, req.user, id, badQuery ? {} : req.query)
      if (!section) throw new NotFound()
      const { data, status } = orgCapacityView(section, badQuery)
      return reply.render('capacity/org', data, { status, partial: 'capacity/section' })
    },
  )

  app.get(
    '/orgs/:id/capacity/new',
    { config: { access: 'staff' }, schema: { params: idParam } },
    async (req, reply) => {
      const org = recordable(req, req.params.id)
      return showForm(req, reply, 'new', org, { orgId: org.id, assessedOn: localToday(new Date()), withLeader: 'on' })
    },
  )

  app.post(
    '/orgs/:id/capacity',
    { config: { access: 'staff' }, schema: { params: idParam, body: NewBody }, attachValidation: true },
    async (req, reply) => {
      const org = recordable(req, req.params.id)
      const body = req.body
      const again = (errors: FieldErrors, status: number) =>
        showForm(req, reply, 'new', org, { ...body, orgId: org.id }, errors, status)
      return submitForm(req, reply, again, () => {
        const a = capacity.record(app.db, signedIn(req), org.id, fromForm(body))
        reply.flash('capacity.recorded')
        return redirectAfterPost(req, reply, `/capacity/${a.id}`)
      })
    },
  )

  app.get('/capacity/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const a = capacity.findVisible(app.db, req.user, req.params.id)
    if (!a) throw new NotFound()
    return renderAssessment(req, reply, a)
  })

  app.get('/capacity/:id/edit', { config: { access: 'staff' }, schema: { params: idParam } }, async (req, reply) => {
    const a = editable(req, req.params.id)
    return showForm(req, reply, 'edit', a.org, toForm(a))
  })

  app.post(
    '/capacity/:id',
    { config: { access: 'staff' }, schema: { params: idParam, body: EditBody }, attachValidation: true },
    async (req, reply) => {
      const a = editable(req, req.params.id)
      const body = req.body
      const again = (errors: FieldErrors, status: number) =>
        showForm(req, reply, 'edit', a.org, { ...body, id: a.id, orgId: a.orgId }, errors, status)
      return submitForm(req, reply, again, () => {
        capacity.edit(app.db, signedIn(req), a.id, { ...fromForm(body), version: Number(body.version) })
        reply.flash('capacity.saved')
        return redirectAfterPost(req, reply, `/capacity/${a.id}`)
      })
    },
  )
}

export default capacityRoutes
