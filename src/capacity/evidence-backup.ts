import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { evidenceDirFor } from '../config.js'

/**
 * `cli backup FILE` copies the evidence folder beside the copied database, as the app would find it if FILE were
 * DATABASE_URL (x.sqlite → x.evidence/): restoring is putting both back. Files half-written at that moment
 * (`.part`) and anything but files are left out. Returns the stored names the copied database lists but the copy
 * lacks.
 */
export function backupEvidence(from: string, backupFile: string): { dir: string; copied: number; missing: string[] } {
  const dir = evidenceDirFor(backupFile)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 })
  let copied = 0
  if (fs.existsSync(from)) {
    // Only files: evidence is stored flat, so a folder someone made in there is not evidence.
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith('.part')) continue
      fs.copyFileSync(path.join(from, entry.name), path.join(dir, entry.name))
      copied++
    }
  }
  const copy = new Database(backupFile, { readonly: true })
  try {
    const listed = (
      copy
        .prepare(
          'SELECT stored_name AS name FROM capacity_evidence UNION ALL SELECT stored_name FROM fund_report_files',
        )
        .all() as { name: string }[]
    ).map((r) => r.name)
    return { dir, copied, missing: listed.filter((name) => !fs.existsSync(path.join(dir, name))) }
  } finally {
    copy.close()
  }
}
