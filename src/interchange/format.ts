import { CLOSE_REASONS, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS, URGENCIES } from '../db/schema.js'
import { MAX_QUANTITY } from '../listings/listings.js'
import type { Problem } from '../shared/errors.js'

/**
 * The interchange format `assetbridge/v1` (shared/INTERCHANGE.md), as types and field rules. The rules
 * here are the ones a file can be checked against without a database; src/interchange/stored.ts adds
 * those that need one (a ref that must exist, a category's unit, quantity already reserved).
 */
export const FORMAT = 'assetbridge/v1'
export const SECTIONS = ['areas', 'organizations', 'needs', 'offers'] as const
export type Section = (typeof SECTIONS)[number]

/** Lifecycle states a file may set. partly_met / met follow from matches, which a ledger does not carry. */
export const FILE_STATUSES = ['open', 'draft', 'closed', 'expired'] as const
export type FileStatus = (typeof FILE_STATUSES)[number]
type Trust = (typeof TRUST_LEVELS)[number]

export interface AreaRecord {
  ref: string
  name: string
  name_en?: string
  parent: string | null
  lat?: number
  lng?: number
}
export interface OrgRecord {
  ref: string
  name: string
  kind: (typeof ORG_KINDS)[number]
  area: string
  registered: boolean
  trust?: Trust
  focus: string[]
  members?: number
  description?: string
}
interface ListingRecord {
  ref: string
  org: string
  category: string
  title: string
  description?: string
  quantity: number
  unit?: string
  from?: string
  until?: string
  schedule?: string
  topics?: string[]
  expires?: string
  status?: FileStatus
  close_reason?: (typeof CLOSE_REASONS)[number]
}
export interface NeedRecord extends ListingRecord {
  area: string
  place?: string
  urgency: (typeof URGENCIES)[number]
  beneficiaries?: number
}
export interface OfferRecord extends ListingRecord {
  serves: string
  conditions: { min_trust: Trust; focus: string[] }
}

export interface Ledger {
  format: typeof FORMAT
  areas?: AreaRecord[]
  organizations?: OrgRecord[]
  needs?: NeedRecord[]
  offers?: OfferRecord[]
}

/**
 * One thing wrong with a file: where (section, the record's ref, the field) and what, as a message key
 * with parameters so each reader gets it in their language. A record without a usable ref is named
 * `#n`: its position in the section (JSON) or its line in the file (CSV).
 */
export interface LedgerProblem {
  section: Section | null
  ref: string | null
  field: string | null
  message: Problem
}

// ---------------------------------------------------------------------------------------------------------
// Field rules

export type FieldRule =
  | { type: 'ref'; required?: boolean; nullable?: boolean }
  | { type: 'text'; required?: boolean; min?: number; max: number; multiline?: boolean }
  | { type: 'int'; required?: boolean; min: number; max: number }
  | { type: 'number'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'date' }
  | { type: 'enum'; values: readonly string[]; required?: boolean }
  | { type: 'list'; values: readonly string[] }
  /** Codes from a vocabulary only the database knows (topics): shape here, membership in stored.ts. */
  | { type: 'codes'; max: number }
  | { type: 'rrule' }
  | { type: 'object'; fields: Record<string, FieldRule> }

export const REF_MAX = 60
/** Letters of any script, digits and - _ . : — what spreadsheets and source systems use as ids. */
export const REF_PATTERN = /^[\p{L}\p{N}_.:-]+$/u

const listing = {
  ref: { type: 'ref', required: true },
  org: { type: 'ref', required: true },
  category: { type: 'text', required: true, max: 40 },
  title: { type: 'text', required: true, min: 2, max: 120 },
  description: { type: 'text', max: 4000, multiline: true },
  quantity: { type: 'int', required: true, min: 1, max: MAX_QUANTITY },
  unit: { type: 'text', max: 20 },
  from: { type: 'date' },
  until: { type: 'date' },
  schedule: { type: 'rrule' },
  // Optional, additive to v1 (README.md): topic codes of the listing's category; absent → inferred from the text.
  topics: { type: 'codes', max: 20 },
} as const satisfies Record<string, FieldRule>
const lifecycle = {
  expires: { type: 'date' },
  status: { type: 'enum', values: FILE_STATUSES },
  close_reason: { type: 'enum', values: CLOSE_REASONS },
} as const satisfies Record<string, FieldRule>

/** Field order here is the order an export writes them in. */
export const RULES: Record<Section, Record<string, FieldRule>> = {
  areas: {
    ref: { type: 'ref', required: true },
    name: { type: 'text', required: true, max: 60 },
    name_en: { type: 'text', max: 80 },
    parent: { type: 'ref', nullable: true },
    lat: { type: 'number', min: -90, max: 90 },
    lng: { type: 'number', min: -180, max: 180 },
  },
  organizations: {
    ref: { type: 'ref', required: true },
    name: { type: 'text', required: true, min: 2, max: 80 },
    kind: { type: 'enum', values: ORG_KINDS, required: true },
    area: { type: 'ref', required: true },
    registered: { type: 'bool' },
    trust: { type: 'enum', values: TRUST_LEVELS },
    focus: { type: 'list', values: FOCUS_GROUPS },
    members: { type: 'int', min: 1, max: 100_000 },
    description: { type: 'text', max: 2000, multiline: true },
  },
  needs: {
    ...listing,
    area: { type: 'ref', required: true },
    place: { type: 'text', max: 200 },
    urgency: { type: 'enum', values: URGENCIES },
    beneficiaries: { type: 'int', min: 1, max: 1_000_000 },
    ...lifecycle,
  },
  offers: {
    ...listing,
    serves: { type: 'ref', required: true },
    conditions: {
      type: 'object',
      fields: { min_trust: { type: 'enum', values: TRUST_LEVELS }, focus: { type: 'list', values: FOCUS_GROUPS } },
    },
    ...lifecycle,
  },
}
/**
 * CSV has one flat row per record: the offer's conditions become the columns `min_trust` and `focus`.
 * Everything else is the JSON field of the same name.
 */
export const CSV_COLUMNS: Record<Section, string[]> = {
  areas: Object.keys(RULES.areas),
  organizations: Object.keys(RULES.organizations),
  needs: Object.keys(RULES.needs),
  offers: Object.keys(RULES.offers).flatMap((k) => (k === 'conditions' ? ['min_trust', 'focus'] : [k])),
}
