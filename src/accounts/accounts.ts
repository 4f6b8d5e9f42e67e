import { and, eq, sql } from 'drizzle-orm'
import { preparedOn, writeTx, type Db } from '../db/client.js'
import { areas, brokerAreas, loginThrottle, memberships, organizations, sessions, users } from '../db/schema.js'
import { NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import { hashPassword, isCommonPassword, verifyPassword } from './passwords.js'
import { pathCoveredSql } from '../areas/coverage.js'

export type Role = 'member' | 'broker' | 'admin'
export const ROLES: Role[] = ['member', 'broker', 'admin']

export interface CurrentUser {
  id: number
  email: string
  name: string
  role: Role
  /** Organizations this person leads: may act for them (post, request, answer, edit). */
  orgIds: number[]
  /** Organizations this person is a plain member of: sees their work (drafts, matches, messages), never acts. */
  memberOrgIds: number[]
  /**
   * A broker's looked-after organizations: in the areas they cover, with no leader online. The broker acts on
   * their behalf, on the record; a group that gains a leader leaves this set (the leader acts from then on).
   */
  lookedAfterOrgIds: number[]
  /** Area ids a broker covers; a street covers its communities (resolved by area path). */
  brokerAreaIds: number[]
  notify: 'instant' | 'digest' | 'off'
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

function checkPassword(password: string, field = 'password') {
  if (isCommonPassword(password)) throw new ValidationError({ [field]: { key: 'validation.password_common' } })
}

// Who is signed in is loaded on every request they make.
const loadQueries = preparedOn((db) => ({
  user: db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare(),
  memberships: db
    .select({ id: memberships.orgId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, sql.placeholder('id')))
    .prepare(),
  brokerAreas: db
    .select({ id: brokerAreas.areaId })
    .from(brokerAreas)
    .where(eq(brokerAreas.userId, sql.placeholder('id')))
    .prepare(),
}))

export function load(db: Db, id: number): CurrentUser | undefined {
  const queries = loadQueries(db)
  const user = queries.user.get({ id })
  if (!user || user.disabledAt) return undefined
  const rows = queries.memberships.all({ id })
  const orgIds = rows.filter((m) => m.role === 'leader').map((m) => m.id)
  const memberOrgIds = rows.filter((m) => m.role === 'member').map((m) => m.id)
  const brokerAreaIds = queries.brokerAreas.all({ id }).map((a) => a.id)
  const lookedAfterOrgIds = user.role === 'broker' ? lookedAfter(db, brokerAreaIds) : []
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    orgIds,
    memberOrgIds,
    lookedAfterOrgIds,
    brokerAreaIds,
    notify: user.notify,
  }
}

/** Organizations in these areas (a street covers its communities) that no enabled leader answers for. */
export function lookedAfter(db: Db, areaIds: number[]): number[] {
  if (areaIds.length === 0) return []
  const inAreas = pathCoveredSql(areaIds)
  return db
    .select({ id: organizations.id })
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(
      and(
        inAreas,
        sql`NOT EXISTS (SELECT 1 FROM ${memberships} JOIN ${users} ON ${users.id} = ${memberships.userId}
      WHERE ${memberships.orgId} = ${organizations.id} AND ${memberships.role} = 'leader' AND ${users.disabledAt} IS NULL)`,
      ),
    )
    .all()
    .map((o) => o.id)
}

/** May act for the organization: one of its leaders, or the broker looking after it while it has none. */
export const actsFor = (user: CurrentUser | null | undefined, orgId: number) =>
  !!user && (user.orgIds.includes(orgId) || user.lookedAfterOrgIds.includes(orgId))
/** Every organization the person may act for (a scoped lookup's list). */
export const actingOrgIds = (user: CurrentUser) => [...user.orgIds, ...user.lookedAfterOrgIds]
/** Sees the organization's own work (drafts, matches, messages): whoever acts for it, and its members. */
export const seesOrg = (user: CurrentUser | null | undefined, orgId: number) =>
  !!user && (actsFor(user, orgId) || user.memberOrgIds.includes(orgId))
/** Every organization whose own work the person sees. */
export const seenOrgIds = (user: CurrentUser) => [...actingOrgIds(user), ...user.memberOrgIds]

/**
 * Creates an account of any role (the CLI, the demo data, an invitation accepted), the password already hashed so a
 * caller can make the account inside its own transaction. A broker's areas are set in the same one: a refused area
 * leaves no account behind.
 */
export function create(
  db: Db,
  input: { email: string; name?: string; role: Role; passwordHash: string; areaIds?: number[] },
  now = new Date(),
) {
  const email = normalizeEmail(input.email)
  return writeTx(db, (tx) => {
    const user = tx
      .insert(users)
      .values({
        email,
        name: input.name ?? email.split('@')[0],
        passwordHash: input.passwordHash,
        role: input.role,
        createdAt: now.toISOString(),
      })
      .returning()
      .get()
    events.record(
      tx,
      { actorId: null, action: 'account.created', subjectType: 'user', subjectId: user.id, data: { role: input.role } },
      now,
    )
    if (input.areaIds?.length) setBrokerAreas(tx, null, user.id, input.areaIds, now)
    return user
  })
}

// Soft, per account-and-address back-off: slows guessing without letting a stranger lock a leader out.
const FREE_FAILURES = 5
const WINDOW_MS = 15 * 60_000
export function retryAfterSeconds(failures: number, lastFailureAt: number, now: number): number {
  if (failures < FREE_FAILURES || now - lastFailureAt > WINDOW_MS) return 0
  const wait = Math.min(2 ** (failures - FREE_FAILURES) * 1000, WINDOW_MS)
  return Math.max(0, Math.ceil((lastFailureAt + wait - now) / 1000))
}

export type SignInResult = { ok: true; user: CurrentUser } | { ok: false; retryAfter?: number }

export async function signIn(
  db: Db,
  input: { email: string; password: string; ip: string; locale?: string },
  now = new Date(),
): Promise<SignInResult> {
  const email = normalizeEmail(input.email)
  const key = `${email}|${input.ip}`
  const throttle = db.select().from(loginThrottle).where(eq(loginThrottle.email, key)).get()
  const wait = throttle ? retryAfterSeconds(throttle.failures, throttle.lastFailureAt, now.getTime()) : 0
  if (wait > 0) return { ok: false, retryAfter: wait }
  const row = db.select().from(users).where(eq(users.email, email)).get()
  const valid = await verifyPassword(row?.passwordHash, input.password)
  if (!valid || !row || row.disabledAt) {
    const t = now.getTime()
    const failures = throttle && t - throttle.lastFailureAt <= WINDOW_MS ? throttle.failures + 1 : 1
    writeTx(db, (tx) => {
      tx.insert(loginThrottle)
        .values({ email: key, failures, lastFailureAt: t })
        .onConflictDoUpdate({ target: loginThrottle.email, set: { failures, lastFailureAt: t } })
        .run()
      events.record(
        tx,
        {
          actorId: row?.id ?? null,
          action: 'auth.sign_in_failed',
          subjectType: 'user',
          subjectId: row?.id ?? null,
          data: { ip: input.ip },
        },
        now,
      )
    })
    return { ok: false }
  }
  writeTx(db, (tx) => {
    tx.delete(loginThrottle).where(eq(loginThrottle.email, key)).run()
    // E-mails go out in the language the person last used the site in.
    if (input.locale && input.locale !== row.locale)
      tx.update(users).set({ locale: input.locale }).where(eq(users.id, row.id)).run()
    events.record(
      tx,
      { actorId: row.id, action: 'auth.signed_in', subjectType: 'user', subjectId: row.id, data: { ip: input.ip } },
      now,
    )
  })
  return { ok: true, user: load(db, row.id)! }
}

export async function changePassword(
  db: Db,
  userId: number,
  input: { currentPassword: string; newPassword: string; endOtherSessions: boolean; keepSid?: string },
  now = new Date(),
) {
  const row = db.select().from(users).where(eq(users.id, userId)).get()
  if (!row) throw new NotFound()
  if (!(await verifyPassword(row.passwordHash, input.currentPassword))) {
    throw new ValidationError({ currentPassword: { key: 'validation.password_mismatch' } })
  }
  checkPassword(input.newPassword, 'newPassword')
  const passwordHash = await hashPassword(input.newPassword)
  writeTx(db, (tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run()
    // On by default in the form: a stolen cookie should stop working along with the old password.
    if (input.endOtherSessions)
      tx.delete(sessions)
        .where(and(eq(sessions.userId, userId), input.keepSid ? sql`${sessions.sid} <> ${input.keepSid}` : undefined))
        .run()
    events.record(
      tx,
      { actorId: userId, action: 'account.password_changed', subjectType: 'user', subjectId: userId },
      now,
    )
  })
}

export function updateSettings(
  db: Db,
  userId: number,
  input: { name: string; notify: 'instant' | 'digest' | 'off'; phone?: string },
) {
  db.update(users)
    .set({ name: input.name.trim(), notify: input.notify, phone: input.phone ?? null })
    .where(eq(users.id, userId))
    .run()
}

// An admin cannot demote or disable themselves: the district must never be left without one.
function notSelf(actorId: number, userId: number) {
  if (actorId === userId) throw new NotPermitted({ key: 'error.forbidden' })
}

export function setRole(db: Db, actorId: number, userId: number, role: Role, now = new Date()) {
  notSelf(actorId, userId)
  writeTx(db, (tx) => {
    const row = tx.select().from(users).where(eq(users.id, userId)).get()
    if (!row) throw new NotFound()
    if (row.role === role) return
    tx.update(users).set({ role }).where(eq(users.id, userId)).run()
    events.record(
      tx,
      {
        actorId,
        action: 'account.role_changed',
        subjectType: 'user',
        subjectId: userId,
        data: { from: row.role, to: role },
      },
      now,
    )
  })
}

export function setDisabled(db: Db, actorId: number, userId: number, disabled: boolean, now = new Date()) {
  notSelf(actorId, userId)
  writeTx(db, (tx) => {
    const row = tx.select().from(users).where(eq(users.id, userId)).get()
    if (!row) throw new NotFound()
    tx.update(users)
      .set({ disabledAt: disabled ? now.toISOString() : null })
      .where(eq(users.id, userId))
      .run()
    if (disabled) tx.delete(sessions).where(eq(sessions.userId, userId)).run()
    events.record(
      tx,
      { actorId, action: disabled ? 'account.disabled' : 'account.enabled', subjectType: 'user', subjectId: userId },
      now,
    )
  })
}

export function setBrokerAreas(db: Db, actorId: number | null, userId: number, areaIds: number[], now = new Date()) {
  writeTx(db, (tx) => {
    const known = new Set(
      tx
        .select({ id: areas.id })
        .from(areas)
        .all()
        .map((a) => a.id),
    )
    const bad = areaIds.filter((id) => !known.has(id))
    if (bad.length) throw new ValidationError({ areaIds: { key: 'validation.area_missing' } })
    tx.delete(brokerAreas).where(eq(brokerAreas.userId, userId)).run()
    for (const areaId of new Set(areaIds)) tx.insert(brokerAreas).values({ userId, areaId }).run()
    events.record(
      tx,
      { actorId, action: 'account.broker_areas_set', subjectType: 'user', subjectId: userId, data: { areaIds } },
      now,
    )
  })
}

export function list(db: Db) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .orderBy(users.id)
    .all()
}

export function findByEmail(db: Db, email: string) {
  return db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .get()
}

export function profile(db: Db, id: number) {
  return db
    .select({ name: users.name, email: users.email, notify: users.notify, phone: users.phone })
    .from(users)
    .where(eq(users.id, id))
    .get()
}
