import { asc, eq, isNull, ne } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { areas, needs, offers, organizations } from '../db/schema.js'
import {
  CSV_COLUMNS,
  FORMAT,
  SECTIONS,
  type AreaRecord,
  type FileStatus,
  type Ledger,
  type NeedRecord,
  type OfferRecord,
  type OrgRecord,
  type Section,
} from './format.js'
import { csvLine, toSpreadsheet } from './csv.js'
import type { Importer } from './rights.js'

/**
 * The whole ledger in `assetbridge/v1`: every area, organization, need and offer, sorted so that the same
 * database always gives the same bytes, optional fields left out when empty. Private contact details
 * (an organization's phone and email) are never exported.
 *
 * A record without a ref is given one here (`area-<id>`, `org-<id>`, `need-<id>`, `offer-<id>`) and it is
 * stored: the file names the record the same way next time, and importing the file back updates that
 * record instead of creating a second one. That is the only write an export makes.
 *
 * A draft is its organization's own until published: a broker's export leaves drafts out, as the site shows
 * them to nobody else. An admin's or the operator's export is the whole database, drafts included, so that
 * export → import gives it back.
 */
export function exportLedger(db: Db, { by }: { by: Importer }): Ledger {
  assignRefs(db)
  const drafts = by === 'operator' || by.role === 'admin'
  const areaRows = db.select().from(areas).all()
  const refOfArea = new Map(areaRows.map((a) => [a.id, a.ref!]))
  const orgRows = db.select().from(organizations).orderBy(asc(organizations.id)).all()
  const refOfOrg = new Map(orgRows.map((o) => [o.id, o.ref!]))

  const status = (s: string): FileStatus | undefined =>
    s === 'draft' || s === 'closed' || s === 'expired' ? s : undefined
  const ledger: Ledger = {
    format: FORMAT,
    areas: treeOrder(areaRows).map((a) =>
      strip<AreaRecord>(
        {
          ref: a.ref!,
          name: a.name,
          name_en: a.nameEn,
          parent: a.parentId === null ? null : refOfArea.get(a.parentId)!,
          lat: a.lat,
          lng: a.lng,
        },
        ['parent'],
      ),
    ),
    organizations: orgRows
      .map((o) =>
        strip<OrgRecord>({
          ref: o.ref!,
          name: o.name,
          kind: o.kind,
          area: refOfArea.get(o.areaId)!,
          registered: o.registered,
          trust: o.trust,
          focus: o.focus,
          members: o.members,
          description: o.description,
        }),
      )
      .sort(byRef),
    needs: db
      .select()
      .from(needs)
      .where(drafts ? undefined : ne(needs.status, 'draft'))
      .all()
      .map((n) =>
        strip<NeedRecord>({
          ref: n.ref!,
          org: refOfOrg.get(n.orgId)!,
          category: n.category,
          title: n.title,
          description: n.description,
          quantity: n.quantity,
          unit: n.unit,
          from: n.fromDate,
          until: n.untilDate,
          schedule: n.schedule,
          topics: confirmedTopics(n),
          area: refOfArea.get(n.areaId)!,
          place: n.place,
          urgency: n.urgency,
          beneficiaries: n.beneficiaries,
          expires: n.expiresAt,
          status: status(n.status),
          close_reason: n.status === 'closed' ? n.closeReason : null,
        }),
      )
      .sort(byRef),
    offers: db
      .select()
      .from(offers)
      .where(drafts ? undefined : ne(offers.status, 'draft'))
      .all()
      .map((o) =>
        strip<OfferRecord>({
          ref: o.ref!,
          org: refOfOrg.get(o.orgId)!,
          category: o.category,
          title: o.title,
          description: o.description,
          quantity: o.quantity,
          unit: o.unit,
          from: o.fromDate,
          until: o.untilDate,
          schedule: o.schedule,
          topics: confirmedTopics(o),
          serves: refOfArea.get(o.servesAreaId)!,
          conditions: { min_trust: o.minTrust, focus: o.focus },
          expires: o.expiresAt,
          status: status(o.status),
          close_reason: o.status === 'closed' ? o.closeReason : null,
        }),
      )
      .sort(byRef),
  }
  return ledger
}

/**
 * A listing's topics as the file carries them: the ones a poster (or a ledger) chose. Inferred ones are left
 * out, since an import infers the same from the same text, and writing them would turn them into a choice.
 */
const confirmedTopics = (row: { topics: string[] | null; topicsConfirmed: boolean }) =>
  row.topicsConfirmed ? (row.topics ?? []) : undefined

/** The file's bytes: two-space JSON, Chinese as it is (not \u-escaped), a final newline. */
export const toJson = (ledger: Ledger) => `${JSON.stringify(ledger, null, 2)}\n`

/** The same ledger as one CSV text per section (`needs.csv` …), in the columns readFiles() reads. */
export function toCsv(ledger: Ledger): Record<`${Section}.csv`, string> {
  const out = {} as Record<`${Section}.csv`, string>
  for (const section of SECTIONS) {
    const columns = CSV_COLUMNS[section]
    const rows = ((ledger[section] ?? []) as unknown as Record<string, unknown>[]).map((r) => {
      const flat: Record<string, unknown> = { ...r, ...(r.conditions as object | undefined) }
      return csvLine(columns.map((c) => cell(flat[c])))
    })
    out[`${section}.csv`] = `${[csvLine(columns), ...rows].join('\r\n')}\r\n`
  }
  return out
}

// Texts go through toSpreadsheet() (no cell runs as a formula in Excel); numbers, booleans and lists of codes cannot start one.
const cell = (v: unknown) =>
  v === undefined || v === null
    ? ''
    : Array.isArray(v)
      ? v.join(';')
      : typeof v === 'string'
        ? toSpreadsheet(v)
        : String(v)

/** Drops empty optional fields (null, '') — but an empty list and the explicit `parent: null` of a district stay. */
function strip<T>(record: Record<string, unknown>, keepNull: string[] = []): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined || v === '' || (v === null && !keepNull.includes(k))) continue
    out[k] = v
  }
  return out as T
}

/** Natural order (n-2 before n-10), with a plain code-unit comparison breaking ties: the same on every machine. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/)
  const pb = b.split(/(\d+)/)
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue
    const numeric = i % 2 === 1
    if (numeric && pa[i].length !== pb[i].length)
      return pa[i].replace(/^0+/, '').length - pb[i].replace(/^0+/, '').length || (pa[i] < pb[i] ? -1 : 1)
    return pa[i] < pb[i] ? -1 : 1
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0)
}
const byRef = (a: { ref: string }, b: { ref: string }) => naturalCompare(a.ref, b.ref)

/** Depth first, siblings by ref: every parent comes before its children, as a reader expects. */
function treeOrder<T extends { id: number; parentId: number | null; ref: string | null }>(rows: T[]): T[] {
  const children = new Map<number | null, T[]>()
  for (const r of rows) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r])
  const out: T[] = []
  const visit = (parent: number | null) => {
    for (const r of (children.get(parent) ?? []).sort((a, b) => naturalCompare(a.ref!, b.ref!))) {
      out.push(r)
      visit(r.id)
    }
  }
  visit(null)
  return out
}

/** Stores `<kind>-<id>` (or `<kind>-<id>-2` … if a file already used that ref) on every record lacking a ref. */
function assignRefs(db: Db) {
  const tables = [
    [areas, 'area'],
    [organizations, 'org'],
    [needs, 'need'],
    [offers, 'offer'],
  ] as const
  writeTx(db, (tx) => {
    for (const [table, prefix] of tables) {
      const t = table as typeof needs
      const missing = tx.select({ id: t.id }).from(t).where(isNull(t.ref)).all()
      for (const { id } of missing) {
        let ref = `${prefix}-${id}`
        for (let n = 2; tx.select({ id: t.id }).from(t).where(eq(t.ref, ref)).get(); n++) ref = `${prefix}-${id}-${n}`
        // An identity, not a change of content: no version or updated_at bump.
        tx.update(t).set({ ref }).where(eq(t.id, id)).run()
      }
    }
  })
}
