import { and, asc, count, desc, eq, inArray, like, or, sql } from 'drizzle-orm'
import Fuse from 'fuse.js'
import { sqliteOf, writeTx, type Db, type Sqlite } from '../db/client.js'
import { remember } from '../db/memo.js'
import { frozen } from '../shared/frozen.js'
import { areas, memberships, organizations, users, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import { NotFound, NotPermitted, StaleEdit, ValidationError, type FieldErrors } from '../shared/errors.js'
import * as events from '../events/events.js'
import * as areasSvc from '../areas/areas.js'
import { brokerCovers } from '../areas/coverage.js'
import { actingOrgIds, type CurrentUser } from '../accounts/accounts.js'

export type Organization = typeof organizations.$inferSelect
export type Kind = (typeof ORG_KINDS)[number]
export type Trust = (typeof TRUST_LEVELS)[number]
export const PAGE_SIZE = 20

/** Public columns only: contact details are never selected for public pages. */
const publicColumns = {
  id: organizations.id,
  ref: organizations.ref,
  name: organizations.name,
  kind: organizations.kind,
  areaId: organizations.areaId,
  registered: organizations.registered,
  trust: organizations.trust,
  focus: organizations.focus,
  members: organizations.members,
  description: organizations.description,
  createdAt: organizations.createdAt,
  areaName: areas.name,
  areaNameEn: areas.nameEn,
}

export interface OrgInput {
  name: string
  kind: Kind
  areaId: number
  registered?: boolean
  focus?: string[]
  members?: number
  description?: string
  contactPhone?: string
  contactEmail?: string
}

function checkArea(db: Db, areaId: number) {
  if (!areasSvc.get(db, areaId)) throw new ValidationError({ areaId: { key: 'validation.area_missing' } })
}

export function create(db: Db, user: CurrentUser, input: OrgInput, now = new Date()) {
  checkArea(db, input.areaId)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    // Everyone starts self-declared: trust is earned from a social worker or the street office, never typed in.
    const org = tx
      .insert(organizations)
      .values({
        name: input.name.trim(),
        kind: input.kind,
        areaId: input.areaId,
        registered: input.registered ?? false,
        trust: 'self_declared',
        focus: input.focus ?? [],
        members: input.members ?? null,
        description: input.description ?? '',
        contactPhone: input.contactPhone ?? null,
        contactEmail: input.contactEmail ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get()
    tx.insert(memberships).values({ userId: user.id, orgId: org.id, role: 'leader' }).run()
    events.record(tx, { actorId: user.id, action: 'org.created', subjectType: 'organization', subjectId: org.id }, now)
    return org
  })
}

/**
 * Registering a group on the site: someone must be able to reach it once a match is accepted, so a phone or an
 * e-mail is asked for (imports and brokers' entries go through create() and may lack both; contacts then fall back
 * to the leader's account).
 */
export function register(db: Db, user: CurrentUser, input: OrgInput, now = new Date()) {
  if (!input.contactPhone?.trim() && !input.contactEmail?.trim()) {
    const problem = { key: 'validation.contact_required' }
    // Said together with the other rule create() checks, so the form shows every problem at once.
    const fields: FieldErrors = { contactPhone: problem, contactEmail: problem }
    if (!areasSvc.get(db, input.areaId)) fields.areaId = { key: 'validation.area_missing' }
    throw new ValidationError(fields)
  }
  return create(db, user, input, now)
}

/** Scoped lookup: an organization the user may edit (a member of it), or undefined. */
export function findEditable(db: Db, user: CurrentUser, id: number): Organization | undefined {
  if (!user.orgIds.includes(id)) return undefined
  return db.select().from(organizations).where(eq(organizations.id, id)).get()
}

/**
 * A vouching or endorsement was given for what the organization was (its kind, its area). Changing either
 * withdraws it: otherwise an endorsed community group could turn itself into an endorsed street office and
 * read that street's reports. The edit form is only ever a member's edit (staff cannot open it as staff),
 * so the rule holds for every edit; a social worker or the street office raises trust again by its own action.
 */
export function trustSurvives(
  before: Pick<Organization, 'kind' | 'areaId' | 'trust'>,
  after: Pick<OrgInput, 'kind' | 'areaId'>,
): boolean {
  return before.trust === 'self_declared' || (before.kind === after.kind && before.areaId === after.areaId)
}

/** Saves a member's edit; answers whether the edit withdrew the organization's vouching or endorsement. */
export function update(
  db: Db,
  user: CurrentUser,
  id: number,
  input: OrgInput & { version: number },
  now = new Date(),
): { trustReset: boolean } {
  if (!findEditable(db, user, id)) throw new NotFound()
  checkArea(db, input.areaId)
  return writeTx(db, (tx) => {
    const before = tx
      .select({
        kind: organizations.kind,
        areaId: organizations.areaId,
        trust: organizations.trust,
        version: organizations.version,
      })
      .from(organizations)
      .where(eq(organizations.id, id))
      .get()
    if (!before || before.version !== input.version) throw new StaleEdit()
    const trustReset = !trustSurvives(before, input)
    const changed = tx
      .update(organizations)
      .set({
        name: input.name.trim(),
        kind: input.kind,
        areaId: input.areaId,
        registered: input.registered ?? false,
        focus: input.focus ?? [],
        members: input.members ?? null,
        description: input.description ?? '',
        contactPhone: input.contactPhone ?? null,
        contactEmail: input.contactEmail ?? null,
        updatedAt: now.toISOString(),
        version: sql`${organizations.version} + 1`,
        ...(trustReset ? { trust: 'self_declared' as const } : {}),
      })
      .where(and(eq(organizations.id, id), eq(organizations.version, input.version)))
      .run()
    if (changed.changes !== 1) throw new StaleEdit()
    events.record(tx, { actorId: user.id, action: 'org.updated', subjectType: 'organization', subjectId: id }, now)
    if (trustReset) {
      events.record(
        tx,
        {
          actorId: user.id,
          action: 'org.trust_reset',
          subjectType: 'organization',
          subjectId: id,
          data: { from: before.trust, kind: [before.kind, input.kind], areaId: [before.areaId, input.areaId] },
        },
        now,
      )
    }
    return { trustReset }
  })
}

function raiseTrust(db: Db, actor: CurrentUser, id: number, to: Trust, now: Date) {
  const org = db.select().from(organizations).where(eq(organizations.id, id)).get()
  if (!org) throw new NotFound()
  if (TRUST_LEVELS.indexOf(org.trust) >= TRUST_LEVELS.indexOf(to)) return org
  writeTx(db, (tx) => {
    tx.update(organizations).set({ trust: to, updatedAt: now.toISOString() }).where(eq(organizations.id, id)).run()
    events.record(
      tx,
      {
        actorId: actor.id,
        action: to === 'vouched' ? 'org.vouched' : 'org.endorsed',
        subjectType: 'organization',
        subjectId: id,
        data: { from: org.trust },
      },
      now,
    )
  })
  return org
}

/** A social worker vouches only for organizations in the communities assigned to them. */
export function vouch(db: Db, broker: CurrentUser, id: number, now = new Date()) {
  const org = db.select({ areaId: organizations.areaId }).from(organizations).where(eq(organizations.id, id)).get()
  if (!org) throw new NotFound()
  if (!brokerCovers(db, broker, org.areaId)) throw new NotPermitted({ key: 'error.forbidden' })
  return raiseTrust(db, broker, id, 'vouched', now)
}

export function endorse(db: Db, admin: CurrentUser, id: number, now = new Date()) {
  if (admin.role !== 'admin') throw new NotPermitted({ key: 'error.forbidden' })
  return raiseTrust(db, admin, id, 'endorsed', now)
}

export function get(db: Db, id: number) {
  return db
    .select(publicColumns)
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(eq(organizations.id, id))
    .get()
}

export function leaders(db: Db, orgId: number) {
  return db
    .select({ id: users.id, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'leader')))
    .orderBy(asc(users.name))
    .all()
}

/**
 * The organizations a listing form offers: those the user acts for (led, or looked after by a broker), and the
 * one a broker is entering a need for (`assisting`, 代填) when it is in their area.
 */
export function actingFor(db: Db, user: CurrentUser, assisting?: number) {
  const ids = actingOrgIds(user)
  if (assisting !== undefined && !ids.includes(assisting)) {
    const org = db
      .select({ areaId: organizations.areaId })
      .from(organizations)
      .where(eq(organizations.id, assisting))
      .get()
    if (org && brokerCovers(db, user, org.areaId)) ids.push(assisting)
  }
  if (ids.length === 0) return []
  return db
    .select(publicColumns)
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(inArray(organizations.id, ids))
    .orderBy(asc(organizations.name))
    .all()
}

export function mine(db: Db, user: CurrentUser) {
  if (user.orgIds.length === 0) return []
  return db
    .select(publicColumns)
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(inArray(organizations.id, user.orgIds))
    .orderBy(asc(organizations.name))
    .all()
}

export interface OrgQuery {
  kind?: Kind
  area?: number
  q?: string
  page?: number
}

// Name lookup tolerates typos and partial names; a few thousand names is what fuse.js handles well. Kept per database
// (a test process opens many, which could agree on the stamp) until an organization is added or changed.
const nameIndexes = new WeakMap<Sqlite, { stamp: string; fuse: Fuse<{ id: number; name: string }> }>()
function matchingNames(db: Db, q: string): number[] {
  const stamp = db
    .select({ n: count(), last: sql<string>`max(${organizations.updatedAt})` })
    .from(organizations)
    .get()
  const key = `${stamp?.n}:${stamp?.last}`
  let index = nameIndexes.get(sqliteOf(db))
  if (!index || index.stamp !== key) {
    const rows = db.select({ id: organizations.id, name: organizations.name }).from(organizations).all()
    index = { stamp: key, fuse: new Fuse(rows, { keys: ['name'], threshold: 0.34, ignoreLocation: true }) }
    nameIndexes.set(sqliteOf(db), index)
  }
  return index.fuse.search(q, { limit: 200 }).map((r) => r.item.id)
}

export function list(db: Db, query: OrgQuery) {
  // The same page for every visitor until the database changes (db/memo.ts).
  return remember(sqliteOf(db), `orgs.list ${JSON.stringify(query)}`, () => frozen(listOn(db, query)))
}

function listOn(db: Db, query: OrgQuery) {
  const page = Math.max(1, query.page ?? 1)
  const conditions = []
  if (query.kind) conditions.push(eq(organizations.kind, query.kind))
  if (query.area) {
    const area = areasSvc.get(db, query.area)
    conditions.push(area ? areasSvc.withinSql(areas.path, area.path) : sql`0`)
  }
  if (query.q) {
    const q = query.q.trim()
    const fuzzy = matchingNames(db, q)
    conditions.push(
      or(
        like(organizations.name, `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`),
        fuzzy.length ? inArray(organizations.id, fuzzy) : undefined,
      ),
    )
  }
  const where = conditions.length ? and(...conditions) : undefined
  const total =
    db
      .select({ n: count() })
      .from(organizations)
      .innerJoin(areas, eq(areas.id, organizations.areaId))
      .where(where)
      .get()?.n ?? 0
  // Unregistered community groups first: they are who this is for.
  const items = db
    .select(publicColumns)
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(where)
    .orderBy(sql`${organizations.kind} <> 'community_group'`, desc(organizations.createdAt), asc(organizations.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .all()
  return { items, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) }
}

export function counts(db: Db) {
  return db.select({ n: count() }).from(organizations).get()?.n ?? 0
}
