import { inArray, isNotNull } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, categories, needs, offers, organizations } from '../db/schema.js'
import type { Problem } from '../shared/errors.js'
import type { AreaRecord, Ledger, LedgerProblem, NeedRecord, OfferRecord, Section } from './format.js'
import * as topics from '../topics/topics.js'

// What the database already holds for the refs a ledger uses, and the problems only the database can show: a ref
// that resolves nowhere, an area tree that would loop or grow too deep, a unit that is not the category's, a
// quantity below what matches reserve. The file's own problems are found before, without it (read.ts).

const LEVEL_DEPTH = { district: 1, street: 2, community: 3 } as const
const MAX_DEPTH = 3
type AreaRow = typeof areas.$inferSelect
type OrgRow = typeof organizations.$inferSelect
export type NeedRow = typeof needs.$inferSelect
export type OfferRow = typeof offers.$inferSelect

export interface State {
  areasByRef: Map<string, AreaRow>
  orgsByRef: Map<string, Pick<OrgRow, 'id' | 'ref' | 'trust'>>
  units: Map<string, string>
  needsByRef: Map<string, NeedRow>
  offersByRef: Map<string, OfferRow>
}

function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function load(tx: Db, ledger: Ledger): State {
  const refs = (records: { ref?: string }[] | undefined) =>
    (records ?? []).map((r) => r.ref).filter((r): r is string => r !== undefined)
  const byRef = <T extends { ref: string | null }>(rows: T[]) => new Map(rows.map((r) => [r.ref!, r]))
  return {
    areasByRef: byRef(tx.select().from(areas).where(isNotNull(areas.ref)).all()),
    orgsByRef: byRef(
      tx
        .select({ id: organizations.id, ref: organizations.ref, trust: organizations.trust })
        .from(organizations)
        .where(isNotNull(organizations.ref))
        .all(),
    ),
    units: new Map(
      tx
        .select({ code: categories.code, unit: categories.unit })
        .from(categories)
        .all()
        .map((c) => [c.code, c.unit]),
    ),
    needsByRef: byRef(
      chunks(refs(ledger.needs)).flatMap((c) => tx.select().from(needs).where(inArray(needs.ref, c)).all()),
    ),
    offersByRef: byRef(
      chunks(refs(ledger.offers)).flatMap((c) => tx.select().from(offers).where(inArray(offers.ref, c)).all()),
    ),
  }
}

export function checkAgainstDb(tx: Db, ledger: Ledger, state: State): LedgerProblem[] {
  const problems: LedgerProblem[] = []
  const add = (section: Section, ref: string | undefined, field: string, message: Problem) =>
    problems.push({ section, ref: ref ?? null, field, message })
  const fileAreas = new Map((ledger.areas ?? []).filter((a) => a.ref).map((a) => [a.ref, a]))
  const fileOrgs = new Set((ledger.organizations ?? []).map((o) => o.ref))
  const areaKnown = (ref: string) => fileAreas.has(ref) || state.areasByRef.has(ref)
  const orgKnown = (ref: string) => fileOrgs.has(ref) || state.orgsByRef.has(ref)

  // Depth in the tree (district 1, street 2, community 3), through the file's parents first, then the stored tree.
  const depth = (ref: string, seen = new Set<string>()): number | undefined => {
    const rec = fileAreas.get(ref)
    if (!rec) {
      const row = state.areasByRef.get(ref)
      return row && LEVEL_DEPTH[row.level]
    }
    if (rec.parent === null) return 1
    if (seen.has(ref)) return undefined
    seen.add(ref)
    const up = rec.parent === undefined ? undefined : depth(rec.parent, seen)
    return up === undefined ? undefined : up + 1
  }
  const inCycle = (rec: AreaRecord) => {
    const seen = new Set<string>([rec.ref])
    for (let p = rec.parent; p !== null && p !== undefined; p = fileAreas.get(p)?.parent ?? null) {
      if (seen.has(p)) return p === rec.ref
      seen.add(p)
    }
    return false
  }
  for (const a of ledger.areas ?? []) {
    if (!a.ref || a.parent === null || a.parent === undefined) continue
    if (a.parent === a.ref) add('areas', a.ref, 'parent', { key: 'ledger.parent_self' })
    else if (!areaKnown(a.parent))
      add('areas', a.ref, 'parent', { key: 'ledger.unknown_area', params: { ref: a.parent } })
    else if (inCycle(a)) add('areas', a.ref, 'parent', { key: 'ledger.parent_cycle', params: { ref: a.parent } })
    else {
      const d = depth(a.ref)
      const stored = state.areasByRef.get(a.ref)
      if (d !== undefined && d > MAX_DEPTH)
        add('areas', a.ref, 'parent', { key: 'ledger.too_deep', params: { ref: a.parent } })
      else if (d !== undefined && stored && LEVEL_DEPTH[stored.level] !== d)
        add('areas', a.ref, 'parent', { key: 'ledger.level_change', params: { ref: a.parent } })
    }
  }
  for (const a of ledger.areas ?? []) {
    const stored = a.ref ? state.areasByRef.get(a.ref) : undefined
    if (stored && stored.level !== 'district' && a.parent === null)
      add('areas', a.ref, 'parent', { key: 'ledger.level_change', params: { ref: '—' } })
  }

  for (const o of ledger.organizations ?? []) {
    if (o.area && !areaKnown(o.area))
      add('organizations', o.ref, 'area', { key: 'ledger.unknown_area', params: { ref: o.area } })
  }

  const vocab = topics.vocabulary(tx)
  const listings = (
    section: 'needs' | 'offers',
    records: (NeedRecord | OfferRecord)[],
    areaField: 'area' | 'serves',
    stored: Map<string, NeedRow | OfferRow>,
  ) => {
    for (const r of records) {
      const unknown = r.topics && r.category !== undefined ? topics.unknownTopics(vocab, r.category, r.topics) : []
      if (unknown.length)
        add(section, r.ref, 'topics', {
          key: 'ledger.topic_unknown',
          params: {
            value: unknown.join(', '),
            category: r.category,
            known:
              topics
                .topicsOf(vocab, r.category)
                .map((t) => t.code)
                .join(', ') || '—',
          },
        })
      if (r.org && !orgKnown(r.org)) add(section, r.ref, 'org', { key: 'ledger.unknown_org', params: { ref: r.org } })
      const area = (r as unknown as Record<string, string | undefined>)[areaField]
      if (area && !areaKnown(area))
        add(section, r.ref, areaField, { key: 'ledger.unknown_area', params: { ref: area } })
      if (r.category !== undefined) {
        const unit = state.units.get(r.category)
        if (unit === undefined)
          add(section, r.ref, 'category', {
            key: 'ledger.unknown_category',
            params: { value: r.category, known: [...state.units.keys()].join(', ') },
          })
        else if (r.unit !== undefined && r.unit !== unit)
          add(section, r.ref, 'unit', {
            key: 'validation.unit',
            params: { unit: r.unit, category: r.category, expected: unit },
          })
      }
      const current = r.ref ? stored.get(r.ref) : undefined
      const reserved = current ? current.quantity - current.remaining : 0
      if (current && r.quantity !== undefined && r.quantity < reserved)
        add(section, r.ref, 'quantity', { key: 'validation.below_reserved', params: { reserved } })
    }
  }
  listings('needs', ledger.needs ?? [], 'area', state.needsByRef)
  listings('offers', ledger.offers ?? [], 'serves', state.offersByRef)
  return problems
}
