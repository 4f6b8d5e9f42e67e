import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Translate } from '../i18n/i18n.js'
import type { UploadedFile } from '../interchange/upload.js'
import * as inventory from './inventory.js'
import { decodeText, parseCsv } from '../interchange/csv.js'

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
