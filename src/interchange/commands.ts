import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../db/client.js'
import { SECTIONS } from './format.js'
import { readFiles } from './read.js'
import { importLedger, totalChanged } from './import.js'
import { exportLedger, toCsv, toJson } from './export.js'
import { LedgerRejected, describe } from './problems.js'
import { hsdsAllServices } from './hsds-export.js'
import type { Locale } from '../i18n/i18n.js'
import * as accounts from '../accounts/accounts.js'
import type { Importer } from './rights.js'

type Print = (line: string) => void

/**
 * Whose rights a ledger command runs with. The operator at the terminal holds the database file, so by default
 * an admin's; `--as EMAIL` takes that broker's or admin's instead (a member has no ledger on the site either).
 */
export function commandImporter(db: Db, as: string | undefined): { importer: Importer } | { error: string } {
  if (as === undefined) return { importer: 'operator' }
  const row = accounts.findByEmail(db, as)
  const user = row && accounts.load(db, row.id)
  if (!user) return { error: `--as: no active account ${as}` }
  if (user.role === 'member') return { error: `--as: ${as} is a member; ledgers are for brokers and admins` }
  return { importer: user }
}

/**
 * `cli import [--as EMAIL] FILE [FILE...]`: 0 with a summary, 1 with every problem (in English, one per line),
 * 2 when a file cannot be read at all or `--as` names no broker or admin.
 */
export function importCommand(
  db: Db,
  files: string[],
  out: Print,
  err: Print,
  opts: { as?: string; now?: Date } = {},
): number {
  const who = commandImporter(db, opts.as)
  if ('error' in who) {
    err(who.error)
    return 2
  }
  if (files.length === 0) {
    err(
      'import needs a .json file, or one or more .csv files named by section (areas.csv, organizations.csv, needs.csv, offers.csv)',
    )
    return 2
  }
  const loaded: { name: string; data: Buffer }[] = []
  for (const file of files) {
    try {
      loaded.push({ name: path.basename(file), data: fs.readFileSync(file) })
    } catch (e) {
      err(`cannot read ${file}: ${(e as Error).message}`)
      return 2
    }
  }
  try {
    const counts = importLedger(db, readFiles(loaded), { by: who.importer, now: opts.now })
    out(`${totalChanged(counts) ? 'Imported' : 'Nothing to change in'} ${files.join(', ')}:`)
    for (const s of SECTIONS) {
      const c = counts[s]
      out(
        `  ${s.padEnd(14)} ${String(c.created).padStart(5)} created ${String(c.updated).padStart(5)} updated ${String(c.unchanged).padStart(5)} unchanged`,
      )
    }
    return 0
  } catch (e) {
    if (!(e instanceof LedgerRejected)) throw e
    err(`Nothing imported: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} in ${files.join(', ')}`)
    for (const p of e.problems) err(describe(p, 'en'))
    return 1
  }
}

/** `cli export [--as EMAIL] FILE.json`, or `DIR/` for one CSV file per section; a broker's leaves drafts out. */
export function exportCommand(db: Db, target: string, out: Print, err: Print, opts: { as?: string } = {}): number {
  const who = commandImporter(db, opts.as)
  if ('error' in who) {
    err(who.error)
    return 2
  }
  const ledger = exportLedger(db, { by: who.importer })
  const counts = SECTIONS.map((s) => `${ledger[s]?.length ?? 0} ${s}`).join(', ')
  if (/\.json$/i.test(target)) {
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true })
    fs.writeFileSync(target, toJson(ledger))
    out(`Exported ${counts} to ${target} (contact details are not exported)`)
    return 0
  }
  if (target.endsWith('/') || (fs.existsSync(target) && fs.statSync(target).isDirectory())) {
    fs.mkdirSync(target, { recursive: true })
    for (const [name, text] of Object.entries(toCsv(ledger))) fs.writeFileSync(path.join(target, name), `\uFEFF${text}`)
    out(
      `Exported ${counts} to ${path.join(target, '{areas,organizations,needs,offers}.csv')} (contact details are not exported)`,
    )
    return 0
  }
  err('export needs a FILE.json, or a directory (ending in /) for CSV files')
  return 2
}

/**
 * `cli export --format hsds [FILE.json] [--lang en]`: every active offer as an HSDS 3.0 service, to the file or to
 * stdout. `baseUrl` names the deployment, so its UUIDs differ from another district's.
 */
export function hsdsExportCommand(
  db: Db,
  target: string | undefined,
  opts: { baseUrl: string; locale?: Locale },
  out: Print,
  err: Print,
): number {
  if (target !== undefined && !/\.json$/i.test(target)) {
    err('export --format hsds writes a FILE.json, or to standard output when no file is named')
    return 2
  }
  const services = hsdsAllServices(db, opts)
  const json = `${JSON.stringify(services, null, 2)}\n`
  if (target === undefined) {
    process.stdout.write(json)
    return 0
  }
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true })
  fs.writeFileSync(target, json)
  out(
    `Exported ${services.length} active offer${services.length === 1 ? '' : 's'} as HSDS 3.0 services to ${target} (no contact details)`,
  )
  return 0
}
