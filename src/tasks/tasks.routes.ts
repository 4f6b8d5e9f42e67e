import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as tasks from './tasks.js'
import { loadTask, loadTasks, taskView, tasksView, titler } from './tasks.pages.js'
import { TASK_DROP_REASONS, TASK_KINDS } from '../db/schema.js'
import { INDICATOR_CODES } from '../capacity/indicators.js'
import { categoryNames } from '../listings/forms.js'
import { date, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'

const MAX_ID = 2_147_483_647
const id = int(1, MAX_ID)
export const CreateFields = {
  kind: oneOf(TASK_KINDS), title: str(tasks.TITLE_MAX), needId: id, offerId: id, orgId: id, areaId: id, category: str(40),
  indicator: oneOf(INDICATOR_CODES), ownerId: id, dueOn: date, note: text(tasks.NOTE_MAX),
}
const CreateBody = formSchema(CreateFields, ['kind'])
const FireBody = formSchema({ event: oneOf(tasks.EVENTS), reason: oneOf(TASK_DROP_REASONS), outcome: text(tasks.OUTCOME_MAX), version: id }, ['event', 'version'])
const HandBody = formSchema({ ownerId: id, version: id }, ['ownerId', 'version'])
const NoteBody = formSchema({ body: text(tasks.NOTE_MAX, 1) }, ['body'])

type Body = Record<string, string | number | undefined>

/** The create form's fields (named as the service names them) → the service's input. */
const createInput = (b: Body): tasks.TaskInput => ({
  kind: b.kind as tasks.Kind, title: b.title as string | undefined, needId: b.needId as number | undefined, offerId: b.offerId as number | undefined,
  orgId: b.orgId as number | undefined, areaId: b.areaId as number | undefined, category: b.category as string | undefined,
  indicator: b.indicator as string | undefined, ownerId: b.ownerId as number | undefined, dueOn: b.dueOn as string | undefined,
  note: b.note as string | undefined,
})

const tasksRoutes: FastifyPluginAsync = async (app) => {
  const showTask = (req: FastifyRequest, reply: FastifyReply, taskId: number, errors: FieldErrors = {}, status = 200) =>
    reply.render('tasks/show', taskView(loadTask(app.db, req.user, taskId, req.locale), new Date(), errors), { status })

  app.get('/tasks', { config: { access: 'signed_in' } }, async (req, reply) =>
    reply.render('tasks/index', tasksView(loadTasks(app.db, req.user!), req.t, new Date())))

  // One click from a desk, agenda or assessment row: the task is made with what the row knew, then refined on its page.
  app.post('/tasks', { config: { access: 'staff' }, schema: { body: CreateBody }, attachValidation: true }, async (req, reply) => {
    if (req.validationError) return reply.flash('tasks.not_created').redirect('/desk', 303)
    const task = tasks.create(app.db, req.user!, createInput(req.body as Body), titler(req.t, categoryNames(app.db, req.locale)))
    reply.flash('tasks.created')
    return redirectAfterPost(req, reply, `/tasks/${task.id}`)
  })

  app.get('/tasks/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => showTask(req, reply, (req.params as { id: number }).id))

  app.post('/tasks/:id/transitions', { config: { access: 'staff' }, schema: { params: idParam, body: FireBody }, attachValidation: true }, async (req, reply) => {
    const taskId = (req.params as { id: number }).id
    const b = req.body as Body
    return submitForm(req, reply, (errors, status) => showTask(req, reply, taskId, errors, status), () => {
      const how = { version: Number(b.version), reason: b.reason as string | undefined, outcome: b.outcome as string | undefined }
      tasks.fire(app.db, req.user!, taskId, b.event as tasks.TaskEvent, how)
      reply.flash(`tasks.done.${b.event}`)
      return redirectAfterPost(req, reply, `/tasks/${taskId}`)
    })
  })

  app.post('/tasks/:id/handover', { config: { access: 'staff' }, schema: { params: idParam, body: HandBody }, attachValidation: true }, async (req, reply) => {
    const taskId = (req.params as { id: number }).id
    const b = req.body as Body
    return submitForm(req, reply, (errors, status) => showTask(req, reply, taskId, errors, status), () => {
      tasks.handOver(app.db, req.user!, taskId, Number(b.ownerId), Number(b.version))
      reply.flash('tasks.handed_over')
      return redirectAfterPost(req, reply, `/tasks/${taskId}`)
    })
  })

  app.post('/tasks/:id/notes', { config: { access: 'staff' }, schema: { params: idParam, body: NoteBody }, attachValidation: true }, async (req, reply) => {
    const taskId = (req.params as { id: number }).id
    return submitForm(req, reply, (errors, status) => showTask(req, reply, taskId, errors, status), () => {
      tasks.addNote(app.db, req.user!, taskId, String((req.body as Body).body))
      return redirectAfterPost(req, reply, `/tasks/${taskId}#notes`)
    })
  })
}

export default tasksRoutes
