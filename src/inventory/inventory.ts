/**
 * The asset inventory (ABCD): the people, associations and institutions of a broker's communities that could
 * give — a shop owner with a kitchen, a retired accountant, a school's court — kept before they ever post an
 * offer, with when they were last contacted and how it went. It holds contacts, so it is private to the brokers
 * covering the area and admins; a spreadsheet goes in and out with the same columns.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { areas, categories, prospects, PROSPECT_KINDS, PROSPECT_OUTCOMES } from '../db/schema.js'
import { NotFound, NotPermitted, StaleEdit, ValidationError, type FieldErrors, type Problem } from '../shared/errors.js'
import { isCalendarDate, localToday } from '../shared/time.js'
import { cleanText } from '../shared/text.js'
import * as events from '../events/events.js'
import * as coverage from '../areas/coverage.js'
import * as areaService from '../areas/areas.js'
import type { CurrentUser } from '../accounts/accounts.js'

export type Prospect = typeof prospects.$inferSelect
export type Kind = (typeof PROSPECT_KINDS)[number]
export type Outcome = (typeof PROSPECT_OUTCOMES)[number]
export const LIMITS = { name: 120, has: 1000, place: 200, contact: 200, notes: 2000 }
export const MAX_IMPORT_ROWS = 2000

export interface ProspectInput {
  areaId: number
  name: string
  kind: string
  has?: string
  category?: string | null
  place?: string
  contact?: string
  lastContactedOn?: string | null
  outcome?: string
  notes?: string
}

/** Brokers covering the area, and admins. */
export function canSee(db: Db, user: CurrentUser | null, areaId: number): boolean {
  return !!user && (user.role === 'admin' || coverage.brokerCovers(db, user, areaId))
}

/** Every rule a prospect meets, field by field (the form's names); `today` bounds the last contact. */
export function problemsWith(db: Db, input: ProspectInput, today: string): FieldErrors {
  const p: FieldErrors = {}
  const name = input.name?.trim() ?? ''
  if (!name) p.name = { key: 'validation.required' }
  for (const f of ['name', 'has', 'place', 'contact', 'notes'] as const) {
    const v = (input[f] as string | undefined) ?? ''
    if (v.length > LIMITS[f]) p[f] = { key: 'validation.too_long', params: { limit: LIMITS[f] } }
  }
  if (!(PROSPECT_KINDS as readonly string[]).includes(input.kind)) p.kind = { key: 'validation.choose' }
  if (input.outcome !== undefined && !(PROSPECT_OUTCOMES as readonly string[]).includes(input.outcome))
    p.outcome = { key: 'validation.choose' }
  if (
    input.category &&
    !db.select({ code: categories.code }).from(categories).where(eq(categories.code, input.category)).get()
  )
    p.category = { key: 'validation.choose' }
  if (input.lastContactedOn) {
    if (!isCalendarDate(input.lastContactedOn)) p.lastContactedOn = { key: 'validation.date' }
    else if (input.lastContactedOn > today)
      p.lastContactedOn = { key: 'inventory.validation.future', params: { today } }
  }
  if (!areaService.get(db, input.areaId)) p.areaId = { key: 'validation.area_missing' }
  return p
}

const columns = (input: ProspectInput) => ({
  areaId: input.areaId,
  name: cleanText(input.name, false).trim(),
  kind: input.kind as Kind,
  has: cleanText(input.has ?? '', true).trim(),
  category: input.category || null,
  place: cleanText(input.place ?? '', false).trim(),
  contact: cleanText(input.contact ?? '', false).trim(),
  lastContactedOn: input.lastContactedOn || null,
  outcome: (input.outcome ?? 'not_contacted') as Outcome,
  notes: cleanText(input.notes ?? '', true).trim(),
})

function check(db: Db, user: CurrentUser, input: ProspectInput, now: Date) {
  const problems = problemsWith(db, input, localToday(now))
  if (Object.keys(problems).length) throw new ValidationError(problems)
  if (!canSee(db, user, input.areaId)) throw new NotPermitted({ key: 'inventory.not_permitted' })
}

export function create(db: Db, user: CurrentUser, input: ProspectInput, now = new Date()): Prospect {
  check(db, user, input, now)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const row = tx
      .insert(prospects)
      .values({ ...columns(input), createdBy: user.id, createdAt: at, updatedAt: at })
      .returning()
      .get()
    events.record(tx, { actorId: user.id, action: 'prospect.created', subjectType: 'prospect', subjectId: row.id }, now)
    return row
  })
}

/** Scoped lookup: a prospect of the user's areas, or undefined. */
export function findVisible(db: Db, user: CurrentUser | null, id: number): Prospect | undefined {
  const row = db.select().from(prospects).where(eq(prospects.id, id)).get()
  return row && canSee(db, user, row.areaId) ? row : undefined
}

export function update(
  db: Db,
  user: CurrentUser,
  id: number,
  input: ProspectInput & { version: number },
  now = new Date(),
): Prospect {
  if (!findVisible(db, user, id)) throw new NotFound()
  check(db, user, input, now)
  return writeTx(db, (tx) => {
    const row = tx
      .update(prospects)
      .set({ ...columns(input), updatedAt: now.toISOString(), version: sql`${prospects.version} + 1` })
      .where(and(eq(prospects.id, id), eq(prospects.version, input.version)))
      .returning()
      .get()
    if (!row) throw new StaleEdit()
    events.record(tx, { actorId: user.id, action: 'prospect.updated', subjectType: 'prospect', subjectId: id }, now)
    return row
  })
}

/** The user's areas' prospects, by area then name; narrowed to a category or an area of theirs. */
export function list(db: Db, user: CurrentUser, filter: { category?: string; areaId?: number } = {}) {
  const visible = areaService.all(db).filter((a) => canSee(db, user, a.id))
  const ids = visible
    .map((a) => a.id)
    .filter((id) => filter.areaId === undefined || areaService.subtreeIds(db, filter.areaId).includes(id))
  if (!ids.length) return []
  return db
    .select({ prospect: prospects, areaName: areas.name, areaNameEn: areas.nameEn, areaRef: areas.ref })
    .from(prospects)
    .innerJoin(areas, eq(areas.id, prospects.areaId))
    .where(and(inArray(prospects.areaId, ids), filter.category ? eq(prospects.category, filter.category) : undefined))
    .orderBy(asc(areas.path), asc(prospects.name), asc(prospects.id))
    .all()
    .map((r) => ({ ...r.prospect, areaName: r.areaName, areaNameEn: r.areaNameEn, areaRef: r.areaRef }))
}

/** The spreadsheet's columns, in order: the export writes them and the import reads them by these headings. */
export const CSV_COLUMNS = [
  'name',
  'kind',
  'area',
  'category',
  'has',
  'place',
  'contact',
  'last_contacted_on',
  'outcome',
  'notes',
] as const

export function toRows(rows: ReturnType<typeof list>): string[][] {
  return rows.map((p) => [
    p.name,
    p.kind,
    p.areaRef ?? String(p.areaId),
    p.category ?? '',
    p.has,
    p.place,
    p.contact,
    p.lastContactedOn ?? '',
    p.outcome,
    p.notes,
  ])
}

export interface ImportProblem {
  line: number
  field: string
  problem: Problem
}

/**
 * Rows from a spreadsheet (header first, the export's headings in any order), all or nothing: a row with any
 * problem, or an area outside the user's, and nothing is written; every problem is named with its line.
 */
export function importRows(
  db: Db,
  user: CurrentUser,
  rows: { line: number; cells: string[] }[],
  now = new Date(),
): { created: number; problems: ImportProblem[] } {
  const [head, ...body] = rows
  if (!head) return { created: 0, problems: [{ line: 1, field: 'file', problem: { key: 'inventory.import.empty' } }] }
  const index = new Map(head.cells.map((c, i) => [c.trim().toLowerCase(), i]))
  const missing = ['name', 'kind', 'area'].filter((c) => !index.has(c))
  if (missing.length)
    return {
      created: 0,
      problems: [
        {
          line: head.line,
          field: 'header',
          problem: { key: 'inventory.import.header', params: { columns: missing.join(', ') } },
        },
      ],
    }
  if (body.length > MAX_IMPORT_ROWS)
    return {
      created: 0,
      problems: [
        {
          line: head.line,
          field: 'file',
          problem: { key: 'inventory.import.too_many', params: { limit: MAX_IMPORT_ROWS } },
        },
      ],
    }
  const cell = (r: { cells: string[] }, c: string) => (index.has(c) ? (r.cells[index.get(c)!] ?? '').trim() : '')
  const problems: ImportProblem[] = []
  const inputs: ProspectInput[] = []
  const today = localToday(now)
  for (const r of body) {
    if (r.cells.every((c) => !c.trim())) continue
    const ref = cell(r, 'area')
    const area = areaService.byRef(db, ref) ?? (/^\d+$/.test(ref) ? areaService.get(db, Number(ref)) : undefined)
    const input: ProspectInput = {
      areaId: area?.id ?? 0,
      name: cell(r, 'name'),
      kind: cell(r, 'kind'),
      has: cell(r, 'has'),
      category: cell(r, 'category') || null,
      place: cell(r, 'place'),
      contact: cell(r, 'contact'),
      lastContactedOn: cell(r, 'last_contacted_on') || null,
      outcome: cell(r, 'outcome') || undefined,
      notes: cell(r, 'notes'),
    }
    const found = problemsWith(db, input, today)
    if (area && !canSee(db, user, area.id)) found.areaId = { key: 'inventory.not_permitted' }
    for (const [field, problem] of Object.entries(found))
      problems.push({ line: r.line, field: field === 'areaId' ? 'area' : field, problem })
    inputs.push(input)
  }
  if (problems.length) return { created: 0, problems }
  writeTx(db, (tx) => {
    const at = now.toISOString()
    for (const input of inputs)
      tx.insert(prospects)
        .values({ ...columns(input), createdBy: user.id, createdAt: at, updatedAt: at })
        .run()
    events.record(
      tx,
      { actorId: user.id, action: 'prospect.imported', subjectType: 'prospect', data: { count: inputs.length } },
      now,
    )
  })
  return { created: inputs.length, problems: [] }
}
