import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as desk from './desk.js'
import { formSchema, id32, idParam } from '../shared/forms.js'
import { redirectAfterPost } from '../shared/http.js'
import { deskView, loadDesk } from './desk.pages.js'
import { signedIn } from '../plugins/auth.js'
import { servingCounted } from '../matching/serving-facts.js'

const deskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/desk', { config: { access: 'staff' } }, async (req, reply) => {
    await servingCounted(app.db)
    return reply.render('brokering/desk', deskView(loadDesk(app.db, signedIn(req)), new Date()))
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
