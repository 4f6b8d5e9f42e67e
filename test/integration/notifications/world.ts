import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { outbox, users } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import { seedWorld } from '../../helpers/app.js'

/**
 * seedWorld plus a need of org A (community A, the broker's street) and an offer of org B serving the whole
 * district: a pair every hard constraint allows, so matches can be opened on it through the services.
 */
export async function matchWorld(app: FastifyInstance, now = new Date()) {
  const w = await seedWorld(app)
  const need = needs.post(
    app.db,
    w.member,
    { orgId: w.orgA.id, category: 'venue', title: '排练场地', quantity: 10, areaId: w.communityA.id },
    now,
  )
  const offer = offers.post(
    app.db,
    w.other,
    { orgId: w.orgB.id, category: 'venue', title: '社区活动室', quantity: 20, servesAreaId: w.district.id },
    now,
  )
  return { ...w, need, offer }
}

export function setNotify(
  app: FastifyInstance,
  userId: number,
  notify: 'instant' | 'digest' | 'off',
  locale?: 'zh-CN' | 'en',
) {
  app.db
    .update(users)
    .set({ notify, ...(locale ? { locale } : {}) })
    .where(eq(users.id, userId))
    .run()
}

export const mails = (app: FastifyInstance) => app.db.select().from(outbox).all()
export const mailsTo = (app: FastifyInstance, email: string) => mails(app).filter((m) => m.to === email)
