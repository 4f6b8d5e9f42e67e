import crypto from 'node:crypto'
import { asc, count, eq, inArray } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { areas, brokerAreas, memberships, needs, organizations, settings } from '../db/schema.js'
import * as accounts from '../accounts/accounts.js'
import { hashPassword } from '../accounts/passwords.js'
import * as interchange from '../interchange/interchange.js'
import * as matching from '../matching/matching.js'
import * as matches from '../brokering/matches.js'
import { demoAreas, demoOrganizations } from './district.js'
import { demoListings } from './listings.js'
import { sampleAssessments } from '../capacity/demo.js'
import { sampleFundCall } from '../funds/demo-decided.js'
import { sampleCall } from '../funds/demo.js'

export interface DemoAccount {
  role: accounts.Role
  email: string
  password: string
  orgs: string[]
}

const DEMO_USERS: { role: accounts.Role; email: string; name: string; orgs: string[]; covers?: string[] }[] = [
  { role: 'admin', email: 'admin@demo.assetbridge.cn', name: '王主任（街道管理员）', orgs: ['org-dh-office'] },
  {
    role: 'broker',
    email: 'broker@demo.assetbridge.cn',
    name: '陈社工',
    orgs: ['org-sw-agency'],
    covers: ['HB-DH', 'HB-NA'],
  },
  {
    role: 'member',
    email: 'leader@demo.assetbridge.cn',
    name: '张阿姨（舞蹈队队长）',
    orgs: ['org-dance', 'org-elder-help'],
  },
  { role: 'member', email: 'holder@demo.assetbridge.cn', name: '刘经理（烘焙坊）', orgs: ['org-bakery', 'org-lzw-rc'] },
]

export const isEmpty = (db: Db) => db.select({ n: count() }).from(areas).get()!.n === 0

/** Thrown by seedDemo when the database already has a district: the demo loads only into an empty one. */
export class NotEmpty extends Error {}

/**
 * Loads the demo district into an empty database and returns the demo accounts. Passwords are random
 * unless one is given (the browser tests give one), and are kept so the start command can print them.
 * One transaction: a failure anywhere leaves the database empty, to be seeded again.
 */
export async function seedDemo(db: Db, opts: { password?: string; now?: Date } = {}): Promise<DemoAccount[]> {
  const now = opts.now ?? new Date()
  // Hashing is asynchronous and a transaction is not: the passwords are hashed first.
  const users = await Promise.all(
    DEMO_USERS.map(async (u) => {
      const password = opts.password ?? crypto.randomBytes(9).toString('base64url')
      return { ...u, password, passwordHash: await hashPassword(password) }
    }),
  )
  // On the connection itself, so the services' own transactions nest in this one (as savepoints).
  return sqliteOf(db)
    .transaction(() => {
      if (!isEmpty(db)) throw new NotEmpty()
      return seed(db, users, now)
    })
    .immediate()
}

function seed(
  db: Db,
  users: ((typeof DEMO_USERS)[number] & { password: string; passwordHash: string })[],
  now: Date,
): DemoAccount[] {
  // The district, its organizations and their listings go in the way a social worker's ledger does.
  interchange.importLedger(
    db,
    { format: interchange.FORMAT, areas: demoAreas, organizations: demoOrganizations, ...demoListings(now) },
    { by: 'operator', now },
  )
  const areaIds = new Map(
    db
      .select({ id: areas.id, ref: areas.ref })
      .from(areas)
      .all()
      .map((a) => [a.ref!, a.id]),
  )
  const orgIds = new Map(
    db
      .select({ id: organizations.id, ref: organizations.ref })
      .from(organizations)
      .all()
      .map((o) => [o.ref!, o.id]),
  )
  // Contact details are private and not part of the interchange format.
  demoOrganizations.forEach((o, i) => {
    db.update(organizations)
      .set({ contactPhone: `1380000${String(1000 + i)}`, contactEmail: `${o.ref}@demo.assetbridge.cn` })
      .where(eq(organizations.id, orgIds.get(o.ref)!))
      .run()
  })
  const created: DemoAccount[] = []
  for (const u of users) {
    const user = accounts.create(db, { email: u.email, name: u.name, role: u.role, passwordHash: u.passwordHash }, now)
    for (const ref of u.orgs)
      db.insert(memberships)
        .values({ userId: user.id, orgId: orgIds.get(ref)!, role: 'leader' })
        .run()
    for (const ref of u.covers ?? [])
      db.insert(brokerAreas)
        .values({ userId: user.id, areaId: areaIds.get(ref)! })
        .run()
    created.push({ role: u.role, email: u.email, password: u.password, orgs: u.orgs })
  }
  db.insert(settings)
    .values({ key: 'demo_accounts', value: JSON.stringify(created) })
    .onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(created) } })
    .run()
  sampleMatches(db, now)
  sampleAssessments(db, now)
  sampleFundCall(db, now)
  sampleCall(db, now)
  backdateListings(db, now)
  return created
}

const DAY = 86_400_000
const daysAgo = (now: Date, days: number) => new Date(now.getTime() - days * DAY)
// The browser journey requests this pair itself; the sample matches leave it alone.
const KEEP_FREE = { need: '雨季室内排练场地', offer: '荔枝湾居民活动室' }

/**
 * A little history, so the broker's desk and the match pages show their queues from the first visit: a request
 * nobody has answered for five days, an arrangement accepted three weeks ago and not yet confirmed, and one
 * delivered forty days ago that is due a follow-up. Made through the match service, as people would.
 */
function sampleMatches(db: Db, now: Date) {
  const load = (email: string) => accounts.load(db, accounts.findByEmail(db, email)!.id)!
  const leader = load('leader@demo.assetbridge.cn')
  const holders = ['holder@demo.assetbridge.cn', 'broker@demo.assetbridge.cn', 'admin@demo.assetbridge.cn'].map(load)
  const pairs: { needId: number; offerId: number; quantity: number; holder: accounts.CurrentUser }[] = []
  for (const need of db.select().from(needs).where(inArray(needs.orgId, leader.orgIds)).orderBy(asc(needs.id)).all()) {
    if (need.title === KEEP_FREE.need) continue
    const found = matching.offersForNeed(db, need.id, { now })
    const fit = found?.matches.find(
      (m) =>
        m.offer.title !== KEEP_FREE.offer &&
        holders.some((h) => h.orgIds.includes(m.offer.orgId)) &&
        !pairs.some((p) => p.offerId === m.offer.id),
    )
    if (fit)
      pairs.push({
        needId: need.id,
        offerId: fit.offer.id,
        quantity: Math.max(1, Math.min(need.remaining, fit.offer.remaining, Math.ceil(need.remaining / 2))),
        holder: holders.find((h) => h.orgIds.includes(fit.offer.orgId))!,
      })
    if (pairs.length === 3) break
  }
  const [waiting, accepted, delivered] = pairs
  if (waiting) matches.open(db, leader, 'request', waiting, daysAgo(now, 5))
  if (accepted) {
    const m = matches.open(db, leader, 'request', accepted, daysAgo(now, 24))
    matches.fire(db, accepted.holder, m.id, 'accept', {}, daysAgo(now, 21))
  }
  if (delivered) {
    const m = matches.open(db, leader, 'request', delivered, daysAgo(now, 50))
    matches.fire(db, delivered.holder, m.id, 'accept', {}, daysAgo(now, 48))
    matches.fire(db, delivered.holder, m.id, 'deliver', { quantity: delivered.quantity }, daysAgo(now, 40))
    matches.fire(db, leader, m.id, 'review', { rating: 5, comment: '场地干净，音响好用，谢谢！' }, daysAgo(now, 39))
  }
}

/**
 * Spreads the listings' posting dates over the last three months, as a district's real history would be, so
 * the reports and the desk's idle queue have a past to show. A listing is never posted after its first match.
 */
function backdateListings(db: Db, now: Date) {
  const sqlite = sqliteOf(db)
  sqlite
    .transaction(() => {
      for (const [table, column] of [
        ['needs', 'need_id'],
        ['offers', 'offer_id'],
      ] as const) {
        const rows = sqlite
          .prepare(
            `SELECT t.id, (SELECT min(e.at) FROM match_events e JOIN matches m ON m.id = e.match_id WHERE m.${column} = t.id) AS first FROM ${table} t`,
          )
          .all() as { id: number; first: string | null }[]
        const update = sqlite.prepare(`UPDATE ${table} SET created_at = ?, updated_at = ? WHERE id = ?`)
        for (const r of rows) {
          let at = daysAgo(now, 2 + ((r.id * 37) % 88))
          if (r.first && at.toISOString() >= r.first) at = new Date(Date.parse(r.first) - 2 * DAY)
          update.run(at.toISOString(), at.toISOString(), r.id)
        }
      }
    })
    .immediate()
}

export function demoAccounts(db: Db): DemoAccount[] {
  const row = db.select().from(settings).where(eq(settings.key, 'demo_accounts')).get()
  return row ? (JSON.parse(row.value) as DemoAccount[]) : []
}
