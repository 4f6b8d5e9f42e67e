import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import * as tasks from './tasks.js'
import { TASK_DROP_REASONS, TASK_KINDS } from '../db/schema.js'
import { INDICATOR_CODES } from '../capacity/indicators.js'
import { categoryNames } from '../listings/listings.js'
import { date, fields, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { signedIn } from '../plugins/auth.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { count, nullable } from '../shared/json.js'
import { titler } from './tasks.pages.js'

const id = int(1, 2_147_483_647)
const CreateBody = fields(
  {
    kind: oneOf(TASK_KINDS),
    title: str(tasks.TITLE_MAX),
    need: id,
    offer: id,
    org: id,
    area: id,
    category: str(40),
    indicator: oneOf(INDICATOR_CODES),
    owner: id,
    due_on: date,
    note: text(tasks.NOTE_MAX),
  },
  ['kind'],
  { additionalProperties: false },
)
// Without a version the move applies to the task as it is now.
const FireBody = fields(
  { event: oneOf(tasks.EVENTS), reason: oneOf(TASK_DROP_REASONS), outcome: text(tasks.OUTCOME_MAX), version: id },
  ['event'],
  { additionalProperties: false },
)
const API_FIELD: Record<string, string> = {
  needId: 'need',
  offerId: 'offer',
  orgId: 'org',
  areaId: 'area',
  ownerId: 'owner',
  dueOn: 'due_on',
}

/** The API's body → the service's input (the API names its references as the JSON does: need, owner, due_on). */
export function createInput(b: Static<typeof CreateBody>): tasks.TaskInput {
  return {
    kind: b.kind,
    title: b.title,
    needId: b.need,
    offerId: b.offer,
    orgId: b.org,
    areaId: b.area,
    category: b.category,
    indicator: b.indicator,
    ownerId: b.owner,
    dueOn: b.due_on,
    note: b.note,
  }
}

/** The service's refusal with each field named as the API names it. */
export function inApiFields<T>(act: () => T): T {
  try {
    return act()
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    throw new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([f, p]) => [API_FIELD[f] ?? f, p])))
  }
}

const json = (t: Omit<tasks.Task, 'createdBy'> & { owner?: string }) => ({
  id: t.id,
  kind: t.kind,
  title: t.title,
  status: t.status,
  area: t.areaId,
  org: t.orgId,
  need: t.needId,
  offer: t.offerId,
  category: t.category,
  indicator: t.indicator,
  owner: t.ownerId,
  due_on: t.dueOn,
  drop_reason: t.dropReason,
  outcome: t.outcome,
  version: t.version,
  created_at: t.createdAt,
  updated_at: t.updatedAt,
})

// Response schemas, field for field (src/shared/json.ts says why).
const orNull = nullable(Type.String())
const TaskJson = Type.Object({
  id: count,
  kind: Type.String(),
  title: Type.String(),
  status: Type.String(),
  area: count,
  org: nullable(count),
  need: nullable(count),
  offer: nullable(count),
  category: orNull,
  indicator: orNull,
  owner: count,
  due_on: Type.String(),
  drop_reason: orNull,
  outcome: Type.String(),
  version: count,
  created_at: Type.String(),
  updated_at: Type.String(),
})

/** Cultivation tasks, with the web's rights: a task the caller may not see is not found. */
const tasksApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/tasks',
    { config: { access: 'signed_in' }, schema: { response: { 200: Type.Object({ items: Type.Array(TaskJson) }) } } },
    async (req) => {
      const user = signedIn(req)
      return {
        items: [...tasks.listFor(app.db, user), ...tasks.listFor(app.db, user, { closed: true })].map((t) =>
          json({ ...t, closedAt: null }),
        ),
      }
    },
  )

  app.post(
    '/api/v1/tasks',
    { config: { access: 'signed_in' }, schema: { body: CreateBody, response: { 201: TaskJson } } },
    async (req, reply) => {
      const made = inApiFields(() =>
        tasks.create(app.db, signedIn(req), createInput(req.body), titler(req.t, categoryNames(app.db, req.locale))),
      )
      return reply.code(201).send(json(made))
    },
  )

  app.post(
    '/api/v1/tasks/:id/transitions',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: FireBody, response: { 200: TaskJson } } },
    async (req) => {
      const { id: taskId } = req.params
      const { event, version, reason, outcome } = req.body
      const found = tasks.findVisible(app.db, signedIn(req), taskId)
      if (!found) throw new NotFound()
      const move = { version: version ?? found.task.version, reason, outcome }
      return json(tasks.fire(app.db, signedIn(req), taskId, event, move))
    },
  )
}

export default tasksApi
