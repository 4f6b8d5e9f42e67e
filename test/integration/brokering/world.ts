import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { eq } from 'drizzle-orm'
import * as accounts from '../../../src/accounts/accounts.js'
import {
  matchEvents,
  matches as matchesTable,
  needs as needsTable,
  offers as offersTable,
  organizations,
} from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { addOrg, addUser, seedWorld, type Res, type World } from '../../helpers/app.js'

/** Private contact details seeded on every organization: none of them may show up for the wrong reader. */
export const MARKERS = {
  need: { phone: 'ZZPHONE123-NEED', email: 'zzmail@marker.test' },
  offer: { phone: 'ZZPHONE123-OFFER', email: 'zzmail-offer@marker.test' },
  stranger: { phone: 'ZZPHONE123-STRANGER', email: 'zzmail-stranger@marker.test' },
}
/** Any of the markers, in any page, fragment, JSON or e-mail. */
export const ANY_MARKER = /ZZPHONE123|marker\.test/i

export interface BrokerWorld extends World {
  /** Leads a third organization in the same community as the need: a neighbour, not a party. */
  stranger: accounts.CurrentUser
  orgC: World['orgA']
  /** A broker covering street B only: the need (community A, street A) is not theirs. */
  broker2: accounts.CurrentUser
  need: needs.Need
  offer: offers.Offer
}

/**
 * seedWorld plus: contact markers on every organization, a neighbour organization (orgC) whose leader is no
 * party to anything, a second broker for the other street, and a need of org A (community A, covered by
 * `broker`) with an offer of org B serving the whole district — a pair every hard constraint allows.
 */
export async function brokerWorld(
  app: FastifyInstance,
  opts: { needQuantity?: number; offerQuantity?: number; now?: Date } = {},
): Promise<BrokerWorld> {
  const now = opts.now ?? new Date()
  const w = await seedWorld(app)
  const [stranger, broker2] = await Promise.all([
    addUser(app, { email: 'stranger@example.cn', name: 'Stranger' }),
    addUser(app, { email: 'broker2@example.cn', role: 'broker', name: 'Broker Two' }),
  ])
  accounts.setBrokerAreas(app.db, w.admin.id, broker2.id, [w.streetB.id])
  const orgC = addOrg(app, stranger.id, { name: '荔枝湾书法社', areaId: w.communityA.id, description: 'calligraphy' })
  const contact = (orgId: number, m: { phone: string; email: string }) =>
    app.db
      .update(organizations)
      .set({ contactPhone: m.phone, contactEmail: m.email })
      .where(eq(organizations.id, orgId))
      .run()
  contact(w.orgA.id, MARKERS.need)
  contact(w.orgB.id, MARKERS.offer)
  contact(orgC.id, MARKERS.stranger)
  const need = needs.post(
    app.db,
    w.member,
    {
      orgId: w.orgA.id,
      category: 'venue',
      title: '排练场地',
      description: '每周排练需要室内场地',
      quantity: opts.needQuantity ?? 10,
      areaId: w.communityA.id,
    },
    now,
  )
  const offer = offers.post(
    app.db,
    w.other,
    {
      orgId: w.orgB.id,
      category: 'venue',
      title: '社区活动室',
      description: '可借用的室内活动室',
      quantity: opts.offerQuantity ?? 20,
      servesAreaId: w.district.id,
    },
    now,
  )
  return {
    ...w,
    stranger: accounts.load(app.db, stranger.id)!,
    broker2: accounts.load(app.db, broker2.id)!,
    orgC,
    need,
    offer,
  }
}

/** A user reloaded from the database (memberships and broker areas as they are now). */
export const reload = (app: FastifyInstance, user: { id: number }) => accounts.load(app.db, user.id)!

export const needRow = (app: FastifyInstance, id: number) =>
  app.db.select().from(needsTable).where(eq(needsTable.id, id)).get()!
export const offerRow = (app: FastifyInstance, id: number) =>
  app.db.select().from(offersTable).where(eq(offersTable.id, id)).get()!
export const matchRow = (app: FastifyInstance, id: number) =>
  app.db.select().from(matchesTable).where(eq(matchesTable.id, id)).get()!
export const historyOf = (app: FastifyInstance, id: number) =>
  app.db.select().from(matchEvents).where(eq(matchEvents.matchId, id)).all()

/** Reserved quantity of an offer must always equal the sum of its accepted (or delivered) matches. */
export function reservedOn(app: FastifyInstance, offerId: number): number {
  const row = app.sqlite
    .prepare(
      `SELECT coalesce(sum(CASE WHEN state = 'accepted' THEN quantity ELSE coalesce(delivered_quantity, quantity) END), 0) AS n
    FROM matches WHERE offer_id = ? AND state IN ('accepted', 'delivered', 'reviewed')`,
    )
    .get(offerId) as { n: number }
  return row.n
}
export function reservedFor(app: FastifyInstance, needId: number): number {
  const row = app.sqlite
    .prepare(
      `SELECT coalesce(sum(CASE WHEN state = 'accepted' THEN quantity ELSE coalesce(delivered_quantity, quantity) END), 0) AS n
    FROM matches WHERE need_id = ? AND state IN ('accepted', 'delivered', 'reviewed')`,
    )
    .get(needId) as { n: number }
  return row.n
}

/** Opens a request (leader) and has the holder accept it, through the services. */
export function acceptedMatch(
  app: FastifyInstance,
  w: { member: accounts.CurrentUser; other: accounts.CurrentUser },
  needId: number,
  offerId: number,
  quantity: number,
) {
  const m = matches.open(app.db, reload(app, w.member), 'request', { needId, offerId, quantity })
  return matches.fire(app.db, reload(app, w.other), m.id, 'accept')
}

/** A fresh need of org A (community A) and offers of org B (whole district), so each test has its own quantities. */
export function freshListings(app: FastifyInstance, w: BrokerWorld, needQty: number, ...offerQtys: number[]) {
  const need = needs.post(app.db, w.member, {
    orgId: w.orgA.id,
    category: 'venue',
    title: '排练场地',
    quantity: needQty,
    areaId: w.communityA.id,
  })
  const offerList = offerQtys.map((q) =>
    offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '活动室',
      quantity: q,
      servesAreaId: w.district.id,
    }),
  )
  return { need, offers: offerList }
}

/** The id of the match a request made, from its 303 to the match page. */
export const matchIdFrom = (res: Res) => {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(303)
  const id = Number((res.headers.location as string).match(/^\/matches\/(\d+)$/)?.[1])
  expect(id).toBeGreaterThan(0)
  return id
}
