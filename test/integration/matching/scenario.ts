import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { organizations } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { addOrg, addUser, seedWorld } from '../../helpers/app.js'
import { reload } from '../brokering/world.js'

const weekly = (days: string, hours: number[]) => `FREQ=WEEKLY;BYDAY=${days};BYHOUR=${hours.join(',')}`

/**
 * A small district for the matcher's pages:
 * - `need`: org A's rehearsal venue in community A, Tuesday and Thursday evenings, 40 hours. Three venues fit
 *   (a same-community room that covers it all, a district hall that covers half, a street room that covers a
 *   quarter), two identical twins fit equally, and two venues do not fit (wrong category; wants vouched groups).
 * - `offer`: org B's district-wide funds, which two identical needs could use: one of a well-supported
 *   organization (endorsed, large, six matches received) and one of an under-resourced group.
 * - `stuck`: org A's Saturday-morning first-aid training need that no first-aid training offer can serve, for
 *   different reasons (each offer is about first aid too, so what they are about is not one of them).
 */
export async function matcherWorld(app: FastifyInstance) {
  const w = await seedWorld(app)
  const big = await addUser(app, { email: 'big@example.cn', name: 'Big' })
  const small = await addUser(app, { email: 'small@example.cn', name: 'Small' })
  const orgBig = addOrg(app, big.id, { name: '东湖老年大学', areaId: w.communityA.id, members: 400 })
  const orgSmall = addOrg(app, small.id, { name: '荔枝湾手工小组', areaId: w.communityA.id, members: 8 })
  app.db.update(organizations).set({ trust: 'endorsed' }).where(eq(organizations.id, orgBig.id)).run()
  const member = reload(app, w.member),
    other = reload(app, w.other),
    bigU = reload(app, big),
    smallU = reload(app, small)

  const evenings = weekly('TU,TH', [19])
  const need = needs.post(app.db, member, {
    orgId: w.orgA.id,
    category: 'venue',
    title: '雨季室内排练场地',
    description: '排练需要能放音响的室内场地',
    quantity: 40,
    schedule: evenings,
    areaId: w.communityA.id,
  })
  const venue = (title: string, quantity: number, servesAreaId: number, extra: Partial<offers.OfferInput> = {}) =>
    offers.post(app.db, other, {
      orgId: w.orgB.id,
      category: 'venue',
      title,
      description: '',
      quantity,
      servesAreaId,
      schedule: weekly('MO,TU,WE,TH,FR', [18, 19, 20]),
      ...extra,
    })
  const near = venue('荔枝湾活动室（可排练，有音响）', 40, w.communityA.id)
  const hall = venue('河滨区文化馆多功能厅', 20, w.district.id)
  const street = venue('东湖街道会议室', 10, w.streetA.id)
  const twin1 = venue('双胞胎会议室', 5, w.streetA.id)
  const twin2 = venue('双胞胎会议室', 5, w.streetA.id)
  const gated = venue('需担保的礼堂', 40, w.communityA.id, { minTrust: 'vouched' })
  const funds = offers.post(app.db, other, {
    orgId: w.orgB.id,
    category: 'funds',
    title: '社区微创投资金',
    description: '',
    quantity: 20000,
    servesAreaId: w.district.id,
  })

  // Six matches already received by the well-supported organization.
  const bigNeed = needs.post(app.db, bigU, {
    orgId: orgBig.id,
    category: 'materials',
    title: '儿童绘本教材',
    quantity: 60,
    areaId: w.communityA.id,
  })
  for (let i = 0; i < 6; i++) {
    const o = offers.post(app.db, other, {
      orgId: w.orgB.id,
      category: 'materials',
      title: `捐赠儿童绘本 ${i + 1}`,
      quantity: 10,
      servesAreaId: w.district.id,
    })
    const m = matches.open(app.db, bigU, 'request', { needId: bigNeed.id, offerId: o.id, quantity: 10 })
    matches.fire(app.db, other, m.id, 'accept')
  }
  const fundsNeed = (u: typeof bigU, orgId: number) =>
    needs.post(app.db, u, {
      orgId,
      category: 'funds',
      title: '活动经费',
      description: '小额活动经费',
      quantity: 3000,
      areaId: w.communityA.id,
    })
  const wellSupported = fundsNeed(bigU, orgBig.id)
  const underResourced = fundsNeed(smallU, orgSmall.id)

  const stuck = needs.post(app.db, member, {
    orgId: w.orgA.id,
    category: 'training',
    title: '周六上午的急救培训',
    description: '',
    quantity: 15,
    schedule: weekly('SA', [9, 10]),
    areaId: w.communityA.id,
  })
  const training = (title: string, schedule: string, servesAreaId: number, extra: Partial<offers.OfferInput> = {}) =>
    offers.post(app.db, other, {
      orgId: w.orgB.id,
      category: 'training',
      title,
      description: '',
      quantity: 30,
      servesAreaId,
      schedule,
      ...extra,
    })
  const tue = training('周二晚上的急救培训', weekly('TU', [19]), w.district.id)
  const thu = training('周四晚上的急救培训', weekly('TH', [19]), w.district.id)
  const farAway = training('南岸的周六急救培训', weekly('SA', [9, 10]), w.streetB.id)
  const vouchedOnly = training('需担保的周六急救培训', weekly('SA', [9, 10]), w.district.id, { minTrust: 'vouched' })

  return {
    ...w,
    orgBig,
    orgSmall,
    need,
    near,
    hall,
    street,
    twin1,
    twin2,
    gated,
    funds,
    wellSupported,
    underResourced,
    stuck,
    tue,
    thu,
    farAway,
    vouchedOnly,
  }
}
