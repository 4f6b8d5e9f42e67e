import type { FastifyInstance } from 'fastify'
import * as accounts from '../../../src/accounts/accounts.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import type { World } from '../../helpers/app.js'

/**
 * The pair the alerts tests write in seedWorld's world: org A's need of a rehearsal room in community A, and org B's
 * room serving the whole district (or `servesAreaId`), which fits it. Given the test's current app and world, which
 * each test makes afresh.
 */
export function roomListings(app: () => FastifyInstance, w: () => World) {
  const reload = (u: { id: number }) => accounts.load(app().db, u.id)!
  return {
    postNeed: (now: Date, extra: Partial<needs.NeedInput> = {}) =>
      needs.post(
        app().db,
        reload(w().member),
        {
          orgId: w().orgA.id,
          category: 'venue',
          title: '雨天排练场地',
          description: '广场舞队雨天需要室内活动室排练',
          quantity: 10,
          areaId: w().communityA.id,
          ...extra,
        },
        now,
      ),
    postOffer: (now: Date, extra: Partial<offers.OfferInput> = {}) =>
      offers.post(
        app().db,
        reload(w().other),
        {
          orgId: w().orgB.id,
          category: 'venue',
          title: '社区活动室',
          description: '可借用的室内活动室，晚上开放',
          quantity: 20,
          servesAreaId: w().district.id,
          ...extra,
        },
        now,
      ),
  }
}
