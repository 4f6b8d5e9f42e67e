/**
 * Ledgers in and out (shared/INTERCHANGE.md, format `assetbridge/v1`; this folder's README.md says what
 * AssetBridge adds to it). Call sites read `interchange.importLedger(db, …)`, `interchange.exportLedger(db)`.
 */
export {
  FORMAT,
  SECTIONS,
  type Ledger,
  type LedgerProblem,
  type Section,
  type AreaRecord,
  type OrgRecord,
  type NeedRecord,
  type OfferRecord,
} from './format.js'
export { readFiles, checkLedger, sectionOfFile, CheckedLedger, type LedgerFile } from './read.js'
export { importLedger, totalChanged, type ImportCounts, type ImportOptions } from './import.js'
export type { SectionCounts } from './writer.js'
export { exportLedger, toJson, toCsv } from './export.js'
export { LedgerRejected, describe, locate } from './problems.js'
export { LedgerRights, type Importer } from './rights.js'
