import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as desk from './desk.js'
import * as tasks from '../tasks/tasks.js'
import { localToday } from '../shared/time.js'
import { formSchema, id32, idParam } from '../shared/forms.js'
import { redirectAfterPost } from '../shared/http.js'
import * as delivery from '../funds/delivery.js'
import { signedIn } from '../plugins/auth.js'

const deskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/desk', { config: { access: 'staff' } }, async (req, reply) => {
    const user = signedIn(req)
    if (user.role === 'admin') return reply.render('brokering/desk', { loads: desk.loads(app.db), admin: true })
    const today = localToday(new Date())
    const mine = tasks
      .listFor(app.db, user)
      .filter((t) => t.ownerId === user.id)
      .map((t) => ({
        ...t,
        overdue: t.dueOn < today,
        age: Math.max(0, Math.floor((Date.now() - Date.parse(t.createdAt)) / 86_400_000)),
      }))
    return reply.render('brokering/desk', {
      queues: desk.queues(app.db, user),
      tasks: mine,
      brokers: desk.brokers(app.db).filter((b) => b.id !== user.id),
      lateAwards: delivery.lateFor(app.db, user),
    })
  })

  app.post(
    '/matches/:id/handover',
    { config: { access: 'broker' }, schema: { params: idParam, body: formSchema({ brokerId: id32 }, ['brokerId']) } },
    async (req, reply) => {
      desk.handOver(app.db, signedIn(req), req.params.id, req.body.brokerId)
      reply.flash('desk.handed_over')
      return redirectAfterPost(req, reply, '/desk')
    },
  )
}

export default deskRoutes
