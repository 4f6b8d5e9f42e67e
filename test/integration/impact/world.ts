/**
 * The district the map's tests share (map.test.ts, agenda.test.ts): mapWorld, and the contact markers no page may
 * show to someone who should not see them.
 */
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import * as accounts from '../../../src/accounts/accounts.js'
import { organizations } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { addArea, addOrg, addUser, seedWorld } from '../../helpers/app.js'

export const DAY = 86_400_000
export const ago = (days: number) => new Date(Date.now() - days * DAY)
export const MARKER = /ZZPHONE123|marker\.test/i

/**
 * seedWorld plus a second community in street A (渔村社区), contact markers on every organization, and:
 *   venue:     need 10 h in community A, need 6 h in 渔村; offer 12 h serving all street A, offer 4 h serving
 *              community A (posted 20 days ago, never used: idle)
 *   training:  two groups in 渔村 need 5 + 3 seats; no one offers training anywhere
 *   materials: a need in community B; the only offer there asks for endorsed organizations: it exists, none fits
 */
export async function mapWorld(app: FastifyInstance) {
  const w = await seedWorld(app)
  const yucun = addArea(app, '渔村社区', w.streetA.id, 'Yucun Community')
  const [third, fourth, broker2] = await Promise.all([
    addUser(app, { email: 'third@example.cn', name: 'Third' }),
    addUser(app, { email: 'fourth@example.cn', name: 'Fourth' }),
    addUser(app, { email: 'broker2@example.cn', role: 'broker', name: 'Broker Two' }),
  ])
  accounts.setBrokerAreas(app.db, w.admin.id, broker2.id, [w.streetB.id])
  const orgC = addOrg(app, third.id, { name: '渔村书法社', areaId: yucun.id })
  const orgD = addOrg(app, fourth.id, { name: '渔村妇女之家', areaId: yucun.id })
  for (const [i, org] of [w.orgA, w.orgB, orgC, orgD].entries()) {
    app.db
      .update(organizations)
      .set({ contactPhone: `ZZPHONE123-${i}`, contactEmail: `zz${i}@marker.test` })
      .where(eq(organizations.id, org.id))
      .run()
  }
  const member = accounts.load(app.db, w.member.id)!,
    other = accounts.load(app.db, w.other.id)!
  const c = accounts.load(app.db, third.id)!,
    d = accounts.load(app.db, fourth.id)!
  const venueA = needs.post(
    app.db,
    member,
    { orgId: w.orgA.id, category: 'venue', title: '排练场地', quantity: 10, areaId: w.communityA.id },
    ago(5),
  )
  const venueY = needs.post(
    app.db,
    c,
    { orgId: orgC.id, category: 'venue', title: '练字的教室', quantity: 6, areaId: yucun.id },
    ago(5),
  )
  const trainC = needs.post(
    app.db,
    c,
    { orgId: orgC.id, category: 'training', title: '书法老师培训', quantity: 5, areaId: yucun.id },
    ago(4),
  )
  const trainD = needs.post(
    app.db,
    d,
    { orgId: orgD.id, category: 'training', title: '妇女手工培训', quantity: 3, areaId: yucun.id },
    ago(3),
  )
  const materialsB = needs.post(
    app.db,
    other,
    { orgId: w.orgB.id, category: 'materials', title: '音响设备', quantity: 2, areaId: w.communityB.id },
    ago(6),
  )
  const streetOffer = offers.post(
    app.db,
    member,
    { orgId: w.orgA.id, category: 'venue', title: '街道活动中心', quantity: 12, servesAreaId: w.streetA.id },
    ago(30),
  )
  const idleOffer = offers.post(
    app.db,
    other,
    { orgId: w.orgB.id, category: 'venue', title: '没人用的会议室', quantity: 4, servesAreaId: w.communityA.id },
    ago(20),
  )
  // Idle longer, but in street B: a visitor sees it first, street A's broker after their own.
  const idleB = offers.post(
    app.db,
    other,
    { orgId: w.orgB.id, category: 'publicity', title: '南岸闲置的宣传栏', quantity: 3, servesAreaId: w.communityB.id },
    ago(30),
  )
  const gated = offers.post(
    app.db,
    member,
    {
      orgId: w.orgA.id,
      category: 'materials',
      title: '只借给认证组织的音响',
      quantity: 5,
      servesAreaId: w.communityB.id,
      minTrust: 'endorsed',
    },
    ago(2),
  )
  // The street offer was used three days ago: not idle. (Accepted 2 h of 12, then the need still asks for 8.)
  const used = needs.post(
    app.db,
    member,
    { orgId: w.orgA.id, category: 'venue', title: '已经安排的排练场地', quantity: 2, areaId: w.communityA.id },
    ago(5),
  )
  const m = matches.open(app.db, member, 'request', { needId: used.id, offerId: streetOffer.id, quantity: 2 }, ago(4))
  matches.fire(app.db, member, m.id, 'accept', {}, ago(3))
  return {
    ...w,
    yucun,
    orgC,
    orgD,
    broker2: accounts.load(app.db, broker2.id)!,
    venueA,
    venueY,
    trainC,
    trainD,
    materialsB,
    streetOffer,
    idleOffer,
    idleB,
    gated,
  }
}
