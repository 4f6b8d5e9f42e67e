import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import type { UploadedFile } from '../interchange/upload.js'
import * as inventory from './inventory.js'
import * as tasks from '../tasks/tasks.js'
import * as areaService from '../areas/areas.js'
import { PROSPECT_KINDS, PROSPECT_OUTCOMES } from '../db/schema.js'
import { categoryNames } from '../listings/listings.js'
import { csvLine, decodeText, parseCsv, toSpreadsheet } from '../interchange/csv.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'

/** The most problems an import page lists; the rest are counted. */
export const SHOWN_PROBLEMS = 100

const fileProblem = (key: string, params?: Record<string, string | number>): inventory.ImportProblem[] => [
  { line: 1, field: 'file', problem: { key, params } },
]

/**
 * A spreadsheet import, all or nothing: the first part that is a file at all, refused whole when missing, cut short
 * at the size limit or with a quote never closed; otherwise its rows as inventory.importRows takes or refuses them.
 */
export function importUpload(db: Db, user: CurrentUser, files: UploadedFile[] = []) {
  const file = files.find((f) => f.filename || f.data.length)
  if (!file) return { created: 0, problems: fileProblem('inventory.import.no_file') }
  if (file.truncated) return { created: 0, problems: fileProblem('inventory.import.too_big') }
  const parsed = parseCsv(decodeText(file.data))
  if (parsed.unclosed) return { created: 0, problems: fileProblem('ledger.csv_quote', { line: parsed.unclosed }) }
  return inventory.importRows(db, user, parsed.rows)
}

/** What inventory/import is given for a refused import: the first problems with their lines, and how many more. */
export function importPageView(t: Translate, problems: inventory.ImportProblem[]) {
  return {
    title: t('inventory.import.title'),
    problems: problems.slice(0, SHOWN_PROBLEMS),
    more: Math.max(0, problems.length - SHOWN_PROBLEMS),
  }
}

export interface ListFilter {
  category?: string
  area?: number
}

/** The choices the inventory's pages offer: the viewer's areas and the categories. */
export function loadChoices(db: Db, viewer: CurrentUser | null, locale: Locale) {
  const areaOptions = areaService.options(db, locale).filter((a) => inventory.canSee(db, viewer, a.id))
  return { areaOptions, categoryNames: categoryNames(db, locale) }
}

/** The choices for a page that only makes sense with an area of one's own: refused outright without one. */
export function loadOwnChoices(db: Db, viewer: CurrentUser | null, locale: Locale) {
  const choices = loadChoices(db, viewer, locale)
  if (!choices.areaOptions.length) throw new NotPermitted({ key: 'inventory.not_permitted' })
  return choices
}

export type Choices = ReturnType<typeof loadChoices>

const categoryOptions = (names: Record<string, string>) => Object.entries(names).map(([code, name]) => ({ code, name }))

export function loadInventory(db: Db, viewer: CurrentUser, filter: ListFilter, locale: Locale) {
  const choices = loadOwnChoices(db, viewer, locale)
  return { ...choices, filter, rows: inventory.list(db, viewer, { category: filter.category, areaId: filter.area }) }
}

/**
 * The inventory list: each prospect's area in the reader's language and its category by name; the filter kept in the
 * download link (only what was set), so the spreadsheet holds exactly the rows shown.
 */
export function inventoryView(data: ReturnType<typeof loadInventory>, t: Translate, locale: Locale) {
  const names = data.categoryNames
  const query = new URLSearchParams(
    Object.entries(data.filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  ).toString()
  return {
    title: t('inventory.title'),
    rows: data.rows.map((p) => ({
      ...p,
      areaLabel: areaService.displayName({ name: p.areaName, nameEn: p.areaNameEn }, locale),
      categoryName: p.category ? names[p.category] : '',
    })),
    filter: data.filter,
    query,
    areaOptions: data.areaOptions,
    categories: categoryOptions(names),
  }
}

/** The spreadsheet of the list: a BOM so that Excel reads the Chinese as UTF-8; no cell may run as a formula. */
export function inventoryCsv(rows: ReturnType<typeof inventory.list>): string {
  const lines = [
    csvLine([...inventory.CSV_COLUMNS]),
    ...inventory.toRows(rows).map((r) => csvLine(r.map(toSpreadsheet))),
  ]
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

/** What the prospect form holds: typed values, or a stored prospect with its invitation and open tasks. */
export type FormValues = Partial<Record<keyof inventory.ProspectInput | 'version', string | number | undefined>> & {
  id?: number
  invite?: boolean
  tasks?: { id: number; title: string }[]
}

/** A new prospect starts as a person not yet contacted. */
export const NEW_VALUES: FormValues = { outcome: 'not_contacted', kind: 'person' }

/** A prospect as its form shows it; the invitation offered until it became a holder, with the tasks it may close. */
export function storedValues(p: inventory.Prospect, openTasks: { id: number; title: string }[]): FormValues {
  return {
    ...p,
    lastContactedOn: p.lastContactedOn ?? '',
    category: p.category ?? '',
    invite: p.outcome !== 'became_holder',
    tasks: openTasks,
  }
}

/** The prospect the viewer may see, with the open tasks they may act on in its area; NotFound otherwise. */
export function loadProspect(db: Db, viewer: CurrentUser, id: number) {
  const p = inventory.findVisible(db, viewer, id)
  if (!p) throw new NotFound()
  return { prospect: p, tasks: tasks.listFor(db, viewer).filter((t) => t.canAct && t.areaId === p.areaId) }
}

/** The prospect form, new or edit (by `values.id`): problems only when there are some, dates no later than today. */
export function prospectFormView(
  choices: Choices,
  values: FormValues,
  errors: FieldErrors,
  t: Translate,
  today: string,
) {
  return {
    title: t(values.id ? 'inventory.edit.title' : 'inventory.new.title'),
    values,
    errors: Object.keys(errors).length ? errors : undefined,
    areaOptions: choices.areaOptions,
    categories: categoryOptions(choices.categoryNames),
    kinds: PROSPECT_KINDS,
    outcomes: PROSPECT_OUTCOMES,
    limits: inventory.LIMITS,
    today,
  }
}

/** The link an invitation gives, on this site's address. */
export function invitationUrl(baseUrl: string, token: string) {
  return `${baseUrl.replace(/\/+$/, '')}/give?token=${token}`
}

/**
 * The invitation just made. The secret is in the code, so the code travels inside the page (a data: image) rather
 * than from an address of its own.
 */
export function invitationView(
  t: Translate,
  prospect: inventory.Prospect,
  url: string,
  qrSvg: string,
  expiresAt: string,
) {
  const qr = `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`
  return { title: t('inventory.give.title'), prospect, url, qr, expiresAt }
}

/** Where an invitation's link goes: gone (410) when dead or used, sign-in first for a visitor, else the offer form. */
export function giveAnswer(found: boolean, signedIn: boolean, token: string) {
  if (!found) return { gone: true as const }
  if (!signedIn) return { redirect: `/signin?next=${encodeURIComponent(`/give?token=${token}`)}` }
  return { redirect: `/offers/new?give=${encodeURIComponent(token)}` }
}
