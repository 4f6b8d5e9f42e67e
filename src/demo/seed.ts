import crypto from 'node:crypto'
import { count, eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, brokerAreas, memberships, organizations, settings, users } from '../db/schema.js'
import * as accounts from '../accounts/accounts.js'
import * as areasSvc from '../areas/areas.js'
import { demoAreas, demoOrganizations } from './district.js'

export interface DemoAccount { role: accounts.Role; email: string; password: string; orgs: string[] }

const DEMO_USERS: { role: accounts.Role; email: string; name: string; orgs: string[]; covers?: string[] }[] = [
  { role: 'admin', email: 'admin@demo.assetbridge.cn', name: '王主任（街道管理员）', orgs: ['org-dh-office'] },
  { role: 'broker', email: 'broker@demo.assetbridge.cn', name: '陈社工', orgs: ['org-sw-agency'], covers: ['HB-DH', 'HB-NA'] },
  { role: 'member', email: 'leader@demo.assetbridge.cn', name: '张阿姨（舞蹈队队长）', orgs: ['org-dance', 'org-elder-help'] },
  { role: 'member', email: 'holder@demo.assetbridge.cn', name: '刘经理（烘焙坊）', orgs: ['org-bakery', 'org-lzw-rc'] },
]

export const isEmpty = (db: Db) => db.select({ n: count() }).from(areas).get()!.n === 0

/**
 * Loads the demo district into an empty database and returns the demo accounts. Passwords are random
 * unless one is given (the browser tests give one), and are kept so the start command can print them.
 */
export async function seedDemo(db: Db, opts: { password?: string; now?: Date } = {}): Promise<DemoAccount[]> {
  const now = opts.now ?? new Date()
  const at = now.toISOString()
  const areaIds = new Map<string, number>()
  for (const a of demoAreas) {
    const row = areasSvc.create(db, null, { name: a.name, nameEn: a.name_en, ref: a.ref, parentId: a.parent ? areaIds.get(a.parent) : undefined, lat: 'lat' in a ? a.lat : undefined, lng: 'lng' in a ? a.lng : undefined }, now)
    areaIds.set(a.ref, row.id)
  }
  const orgIds = new Map<string, number>()
  demoOrganizations.forEach((o, i) => {
    const row = db.insert(organizations).values({
      ref: o.ref, name: o.name, kind: o.kind, areaId: areaIds.get(o.area)!, registered: o.registered, trust: o.trust, focus: [...o.focus],
      members: o.members, description: o.description, contactPhone: `1380000${String(1000 + i)}`, contactEmail: `${o.ref}@demo.assetbridge.cn`,
      createdAt: new Date(now.getTime() - (demoOrganizations.length - i) * 86_400_000).toISOString(), updatedAt: at,
    }).returning().get()
    orgIds.set(o.ref, row.id)
  })
  const created: DemoAccount[] = []
  for (const u of DEMO_USERS) {
    const password = opts.password ?? crypto.randomBytes(9).toString('base64url')
    const user = await accounts.add(db, { email: u.email, name: u.name, role: u.role, password }, now)
    for (const ref of u.orgs) db.insert(memberships).values({ userId: user.id, orgId: orgIds.get(ref)!, role: 'leader' }).run()
    for (const ref of u.covers ?? []) db.insert(brokerAreas).values({ userId: user.id, areaId: areaIds.get(ref)! }).run()
    created.push({ role: u.role, email: u.email, password, orgs: u.orgs })
  }
  db.insert(settings).values({ key: 'demo_accounts', value: JSON.stringify(created) }).onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(created) } }).run()
  return created
}

export function demoAccounts(db: Db): DemoAccount[] {
  const row = db.select().from(settings).where(eq(settings.key, 'demo_accounts')).get()
  return row ? (JSON.parse(row.value) as DemoAccount[]) : []
}

export const userCount = (db: Db) => db.select({ n: count() }).from(users).get()!.n
