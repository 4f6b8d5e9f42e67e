import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as tasks from './tasks.js'
import { loadTask, loadTasks, taskView, tasksView, titler } from './tasks.pages.js'
import { TASK_DROP_REASONS, TASK_KINDS } from '../db/schema.js'
import { INDICATOR_CODES } from '../capacity/indicators.js'
import { categoryNames } from '../listings/listings.js'
import { date, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { signedIn } from '../plugins/auth.js'
import type { FieldErrors } from '../shared/errors.js'

const MAX_ID = 2_147_483_647
const id = int(1, MAX_ID)
export const CreateFields = {
  kind: oneOf(TASK_KINDS),
  title: str(tasks.TITLE_MAX),
  needId: id,
  offerId: id,
  orgId: id,
  areaId: id,
  category: str(40),
  indicator: oneOf(INDICATOR_CODES),
  ownerId: id,
  dueOn: date,
  note: text(tasks.NOTE_MAX),
}
const CreateBody = formSchema(CreateFields, ['kind'])
const FireBody = formSchema(
  { event: oneOf(tasks.EVENTS), reason: oneOf(TASK_DROP_REASONS), outcome: text(tasks.OUTCOME_MAX), version: id },
  ['event', 'version'],
)
const HandBody = formSchema({ ownerId: id, version: id }, ['ownerId', 'version'])
const NoteBody = formSchema({ body: text(tasks.NOTE_MAX, 1) }, ['body'])

const tasksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showTask = (req: FastifyRequest, reply: FastifyReply, taskId: number, errors: FieldErrors = {}, status = 200) =>
    reply.render('tasks/show', taskView(loadTask(app.db, req.user, taskId, req.locale), new Date(), errors), { status })

  /** A form on a task's page: `act` does it and says where to go next; refused, the page again with what to fix. */
  const onTask = (req: FastifyRequest, reply: FastifyReply, taskId: number, act: () => string) =>
    submitForm(
      req,
      reply,
      (errors, status) => showTask(req, reply, taskId, errors, status),
      () => redirectAfterPost(req, reply, act()),
    )

  app.get('/tasks', { config: { access: 'signed_in' } }, async (req, reply) =>
    reply.render('tasks/index', tasksView(loadTasks(app.db, signedIn(req)), req.t, new Date())),
  )

  // One click from a desk, agenda or assessment row: the task is made with what the row knew, then refined on its page.
  app.post(
    '/tasks',
    { config: { access: 'staff' }, schema: { body: CreateBody }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) return reply.flash('tasks.not_created').redirect('/desk', 303)
      const { _csrf, ...input } = req.body
      const task = tasks.create(app.db, signedIn(req), input, titler(req.t, categoryNames(app.db, req.locale)))
      reply.flash('tasks.created')
      return redirectAfterPost(req, reply, `/tasks/${task.id}`)
    },
  )

  app.get('/tasks/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    showTask(req, reply, req.params.id),
  )

  app.post(
    '/tasks/:id/transitions',
    { config: { access: 'staff' }, schema: { params: idParam, body: FireBody }, attachValidation: true },
    async (req, reply) => {
      const taskId = req.params.id
      return onTask(req, reply, taskId, () => {
        const { event, version, reason, outcome } = req.body
        tasks.fire(app.db, signedIn(req), taskId, event, { version, reason, outcome })
        reply.flash(`tasks.done.${event}`)
        return `/tasks/${taskId}`
      })
    },
  )

  app.post(
    '/tasks/:id/handover',
    { config: { access: 'staff' }, schema: { params: idParam, body: HandBody }, attachValidation: true },
    async (req, reply) => {
      const taskId = req.params.id
      return onTask(req, reply, taskId, () => {
        tasks.handOver(app.db, signedIn(req), taskId, req.body.ownerId, req.body.version)
        reply.flash('tasks.handed_over')
        return `/tasks/${taskId}`
      })
    },
  )

  app.post(
    '/tasks/:id/notes',
    { config: { access: 'staff' }, schema: { params: idParam, body: NoteBody }, attachValidation: true },
    async (req, reply) => {
      const taskId = req.params.id
      return onTask(req, reply, taskId, () => {
        tasks.addNote(app.db, signedIn(req), taskId, req.body.body)
        return `/tasks/${taskId}#notes`
      })
    },
  )
}

export default tasksRoutes
