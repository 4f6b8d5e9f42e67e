import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { needs as needsTable, offers as offersTable } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import { translate } from '../../../src/i18n/i18n.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { seedWorld, signedIn, type Browser, type Form, type World } from '../../helpers/app.js'

export const day = (offset: number, now = new Date()) => localToday(addDays(now, offset))

/** seedWorld plus a signed-in browser for org A's leader (member) and org B's leader (other). */
export async function listingWorld(app: FastifyInstance): Promise<World & { asMember: Browser; asOther: Browser }> {
  const w = await seedWorld(app)
  const [asMember, asOther] = await Promise.all([signedIn(app, w.member.email), signedIn(app, w.other.email)])
  return { ...w, asMember, asOther }
}

/** What a leader of org A types into the need form: a venue, Tuesday and Thursday evenings. */
export const needForm = (w: World, over: Form = {}): Form => ({
  orgId: w.orgA.id,
  category: 'venue',
  title: '雨季室内排练场地',
  description: '每周二、四晚上排练，需要能放音乐的室内场地。',
  quantity: 16,
  fromDate: day(0),
  untilDate: day(60),
  days: ['TU', 'TH'],
  periods: ['evening'],
  areaId: w.communityA.id,
  place: '荔枝湾公园附近',
  urgency: 'high',
  beneficiaries: 35,
  expiresAt: day(30),
  ...over,
})

export const offerForm = (w: World, over: Form = {}): Form => ({
  orgId: w.orgB.id,
  category: 'venue',
  title: '南岸社区活动室',
  description: '晚上开放，有桌椅和空调。',
  quantity: 40,
  days: ['MO', 'WE'],
  periods: ['evening'],
  servesAreaId: w.streetB.id,
  minTrust: 'self_declared',
  focus: ['elderly'],
  expiresAt: day(45),
  ...over,
})

export function postNeed(
  app: FastifyInstance,
  user: CurrentUser,
  input: Partial<needs.NeedInput> & { orgId: number; areaId: number },
  now = new Date(),
) {
  return needs.post(app.db, user, { category: 'venue', title: '需要场地', quantity: 10, ...input }, now)
}

export function postOffer(
  app: FastifyInstance,
  user: CurrentUser,
  input: Partial<offers.OfferInput> & { orgId: number; servesAreaId: number },
  now = new Date(),
) {
  return offers.post(app.db, user, { category: 'venue', title: '活动室', quantity: 10, ...input }, now)
}

export const needRow = (app: FastifyInstance, id: number) =>
  app.db.select().from(needsTable).where(eq(needsTable.id, id)).get()
export const offerRow = (app: FastifyInstance, id: number) =>
  app.db.select().from(offersTable).where(eq(offersTable.id, id)).get()

/** The listing's id from a post/redirect/get answer. */
export function idFromLocation(location: string | string[] | undefined, kind: 'needs' | 'offers'): number {
  const m = String(location).match(new RegExp(`^/${kind}/(\\d+)$`))
  if (!m) throw new Error(`no /${kind}/:id in ${location}`)
  return Number(m[1])
}

/** Lets a listing lapse without waiting: the forms refuse an expiry in the past, so set it underneath. */
export function setExpiry(app: FastifyInstance, kind: 'needs' | 'offers', id: number, date: string) {
  app.sqlite.prepare(`UPDATE ${kind} SET expires_at = ? WHERE id = ?`).run(date, id)
}

/** Ids in the search index of a kind (contentless FTS5: the rowid is the listing id). */
export const indexedIds = (app: FastifyInstance, kind: 'need' | 'offer') =>
  app.sqlite.prepare(`SELECT rowid FROM search_${kind}s ORDER BY rowid`).pluck().all() as number[]

/** Listing ids on a rendered list, in order. */
export const listedIds = (html: string, kind: 'needs' | 'offers') =>
  [...html.matchAll(new RegExp(`id="${kind}-(\\d+)"`, 'g'))].map((m) => Number(m[1]))

/** A message as each language's catalogue words it. */
export const zh = (key: string, params?: Record<string, unknown>) => translate('zh-CN', key, params)
export const en = (key: string, params?: Record<string, unknown>) => translate('en', key, params)
/** Handlebars escapes quotes in text: compare messages the way they appear in the HTML. */
export const html = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/=/g, '&#x3D;')
    .replace(/`/g, '&#x60;')

/** Posts the need form the way a browser does: load the form (its CSRF token), then submit. */
export async function submitNeed(b: Browser, form: Form, headers: Record<string, string> = {}) {
  await b.get('/needs/new', headers)
  return b.post('/needs', form, { headers })
}
export async function submitOffer(b: Browser, form: Form, headers: Record<string, string> = {}) {
  await b.get('/offers/new', headers)
  return b.post('/offers', form, { headers })
}
