import { writeTx, type Db } from '../db/client.js'
import * as events from '../events/events.js'
import { SECTIONS, type Section } from './format.js'
import { CheckedLedger, checkLedger } from './read.js'
import { LedgerRejected } from './problems.js'
import { LedgerRights, type Importer } from './rights.js'
import { checkAgainstDb, load } from './stored.js'
import { Writer, type SectionCounts } from './writer.js'

// Where a ledger comes in: the checks (read.ts on the file, stored.ts against the database) and the writing
// (writer.ts) put together in one transaction, so a file is imported whole or not at all.

export interface ImportOptions {
  /** Whose rights the file is imported with (rights.ts): a broker's or admin's, or the CLI operator's. */
  by: Importer
  now?: Date
}
export type ImportCounts = Record<Section, SectionCounts>

/**
 * Upserts a ledger by ref, all or nothing: the file's own problems and those only the database can show
 * (a ref that resolves nowhere, a unit that is not the category's, a quantity below what matches reserve)
 * are collected first, and any one of them refuses the whole file with LedgerRejected. Otherwise areas,
 * organizations, needs and offers are written in one transaction; a record equal to what is stored is
 * left alone (no version, updated_at or event), so importing the same file twice changes nothing.
 * What the importer may not do on the site (rights.ts) is found while writing, where it is known what a record
 * would change; any such refusal is a problem too, and throwing it rolls the whole transaction back.
 * `input` is a ledger object or readFiles()'s result.
 */
export function importLedger(db: Db, input: unknown, opts: ImportOptions): ImportCounts {
  const checked = input instanceof CheckedLedger ? input : checkLedger(input)
  const now = opts.now ?? new Date()
  // Checked inside the write lock, so nothing can change between the check and the write.
  return writeTx(db, (tx) => {
    const state = load(tx, checked.ledger)
    const problems = [...checked.problems, ...checkAgainstDb(tx, checked.ledger, state)]
    if (problems.length) throw new LedgerRejected(problems)
    const rights = new LedgerRights(tx, opts.by)
    const w = new Writer(db, tx, state, rights, now)
    const counts = {
      areas: w.areas(checked.ledger.areas ?? []),
      organizations: w.organizations(checked.ledger.organizations ?? []),
      needs: w.needs(checked.ledger.needs ?? []),
      offers: w.offers(checked.ledger.offers ?? []),
    }
    if (w.refused.length) throw new LedgerRejected(w.refused)
    events.record(
      tx,
      { actorId: rights.actorId, action: 'ledger.imported', subjectType: 'ledger', data: { counts } },
      now,
    )
    return counts
  })
}

export const totalChanged = (counts: ImportCounts) =>
  SECTIONS.reduce((n, s) => n + counts[s].created + counts[s].updated, 0)
