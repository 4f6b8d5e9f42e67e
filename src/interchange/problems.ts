import { DomainError } from '../shared/errors.js'
import { translate, type Locale } from '../i18n/i18n.js'
import type { LedgerProblem } from './format.js'

/** A ledger with any problem is refused whole: nothing is written, and every problem is listed. */
export class LedgerRejected extends DomainError {
  override readonly status = 422
  constructor(readonly problems: LedgerProblem[]) {
    super({ key: 'ledger.rejected', params: { count: problems.length } })
  }
}

/** Where a problem is, as INTERCHANGE.md writes it: `needs[n-7].unit`, `areas[#3]`, or a file's name. */
export function locate(p: LedgerProblem): string {
  if (!p.section) return [p.ref, p.field].filter(Boolean).join('.')
  return `${p.section}${p.ref ? `[${p.ref}]` : ''}${p.field ? `.${p.field}` : ''}`
}

/** One line for a terminal or a log: `needs[n-7].unit: "yuan" is not the unit of category "venue" (hours)`. */
export function describe(p: LedgerProblem, locale: Locale = 'en'): string {
  const reason = translate(locale, p.message.key, p.message.params).replace(/[.。]$/, '')
  const where = locate(p)
  return where ? `${where}: ${reason}` : reason
}
