import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as interchange from './interchange.js'
import { uploadedFiles, type UploadBody } from './upload.js'

/**
 * An uploaded ledger imported all or nothing with the uploader's rights: the counts by section, or every problem
 * (the upload's own first: no file, too many) and nothing written.
 */
export function importUploadedLedger(db: Db, by: CurrentUser, body: Partial<UploadBody> | undefined) {
  const upload = uploadedFiles(body)
  try {
    if (upload.problems.length) throw new interchange.LedgerRejected(upload.problems)
    return { ok: true as const, counts: interchange.importLedger(db, interchange.readFiles(upload.files), { by }) }
  } catch (err) {
    if (!(err instanceof interchange.LedgerRejected)) throw err
    return { ok: false as const, problems: err.problems }
  }
}

/** The ledger page: the form, and after an import its counts by section (200) or its problems located (422). */
export function ledgerPageView(result?: ReturnType<typeof importUploadedLedger>) {
  const page = { form: true, sections: interchange.SECTIONS }
  if (!result) return { status: 200, view: page }
  if (!result.ok)
    return {
      status: 422,
      view: { ...page, problems: result.problems.map((p) => ({ ...p, where: interchange.locate(p) })) },
    }
  const { counts } = result
  return {
    status: 200,
    view: {
      ...page,
      counts: interchange.SECTIONS.map((section) => ({ section, ...counts[section] })),
      changed: interchange.totalChanged(counts),
    },
  }
}
