import { eq, inArray, isNotNull, sql } from 'drizzle-orm'
import { sqliteOf, writeTx, type Db } from '../db/client.js'
import { areas, categories, needs, offers, organizations, TRUST_LEVELS } from '../db/schema.js'
import * as events from '../events/events.js'
import * as areasSvc from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import { defaultExpiry, demandStatus } from '../listings/listings.js'
import type { Problem } from '../shared/errors.js'
import {
  SECTIONS,
  type AreaRecord,
  type Ledger,
  type LedgerProblem,
  type NeedRecord,
  type OfferRecord,
  type OrgRecord,
  type Section,
} from './format.js'
import { CheckedLedger, checkLedger } from './read.js'
import { LedgerRejected } from './problems.js'
import { LedgerRights, type Importer } from './rights.js'
import * as topics from '../topics/topics.js'
import { indexListing } from '../listings/search-text.js'

export interface ImportOptions {
  /** Whose rights the file is imported with (rights.ts): a broker's or admin's, or the CLI operator's. */
  by: Importer
  now?: Date
}
export interface SectionCounts {
  created: number
  updated: number
  unchanged: number
}
export type ImportCounts = Record<Section, SectionCounts>

const LEVEL_DEPTH = { district: 1, street: 2, community: 3 } as const
const MAX_DEPTH = 3
type AreaRow = typeof areas.$inferSelect
type OrgRow = typeof organizations.$inferSelect
type NeedRow = typeof needs.$inferSelect
type OfferRow = typeof offers.$inferSelect

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

// ---------------------------------------------------------------------------------------------------------
// What the database already holds, for the refs the file uses

interface State {
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

function load(tx: Db, ledger: Ledger): State {
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

function checkAgainstDb(tx: Db, ledger: Ledger, state: State): LedgerProblem[] {
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

// ---------------------------------------------------------------------------------------------------------
// Writing: compare first, write only what differs

const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null))
const counts = (): SectionCounts => ({ created: 0, updated: 0, unchanged: 0 })

class Writer {
  private readonly at: string
  private readonly actorId: number | null
  private readonly areaIds = new Map<string, number>()
  private readonly orgIds = new Map<string, number>()
  /** What the importer could not have done on the site. Writing goes on, so every refusal is found; then all is rolled back. */
  readonly refused: LedgerProblem[] = []

  constructor(
    private readonly db: Db,
    private readonly tx: Db,
    private readonly state: State,
    private readonly rights: LedgerRights,
    private readonly now: Date,
  ) {
    this.at = now.toISOString()
    this.actorId = rights.actorId
    for (const [ref, a] of state.areasByRef) this.areaIds.set(ref, a.id)
    for (const [ref, o] of state.orgsByRef) this.orgIds.set(ref, o.id)
  }

  private event(action: string, subjectType: string, subjectId: number, ref: string, change: 'created' | 'updated') {
    events.record(this.tx, { actorId: this.actorId, action, subjectType, subjectId, data: { ref, change } }, this.now)
  }

  private refuse(section: Section, ref: string, field: string | null, message: Problem) {
    this.refused.push({ section, ref, field, message })
  }

  /** Whether the importer looks after this organization (by its area as written so far in this transaction). */
  private looksAfter(orgId: number): boolean {
    const org = this.tx
      .select({ areaId: organizations.areaId })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()
    return !!org && this.rights.covers(org.areaId)
  }

  /** Parents before children, so every parent has an id (and a path) when its children are written. */
  areas(records: AreaRecord[]): SectionCounts {
    const c = counts()
    const byRef = new Map(records.map((r) => [r.ref, r]))
    const depth = (r: AreaRecord): number =>
      r.parent === null ? 1 : byRef.has(r.parent) ? depth(byRef.get(r.parent)!) + 1 : 0
    const ordered = records
      .map((r, i) => ({ r, i, d: depth(r) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .map((x) => x.r)
    for (const r of ordered) {
      const parentId = r.parent === null ? null : this.areaIds.get(r.parent)!
      const current = this.state.areasByRef.has(r.ref)
        ? areasSvc.get(this.tx, this.state.areasByRef.get(r.ref)!.id)!
        : undefined
      const next = { name: r.name, nameEn: r.name_en ?? null, lat: r.lat ?? null, lng: r.lng ?? null, parentId }
      if (!this.rights.areas && !(current && same(next, current)))
        this.refuse('areas', r.ref, null, { key: 'ledger.areas_admin' })
      if (!current) {
        // areas.create records area.created; the level and the materialised path follow from the parent.
        const row = areasSvc.create(
          this.tx,
          this.actorId,
          { name: r.name, nameEn: r.name_en, parentId: parentId ?? undefined, ref: r.ref, lat: r.lat, lng: r.lng },
          this.now,
        )
        this.areaIds.set(r.ref, row.id)
        c.created++
        continue
      }
      if (same(next, current)) {
        c.unchanged++
        continue
      }
      if (parentId !== current.parentId) {
        // A move within the same level: the area's path and every path below it take the new prefix.
        const parentPath = parentId === null ? '/' : areasSvc.get(this.tx, parentId)!.path
        const path = `${parentPath}${current.id}/`
        this.tx.run(
          sql`UPDATE areas SET path = ${path} || substr(path, ${current.path.length + 1}) WHERE substr(path, 1, ${current.path.length}) = ${current.path}`,
        )
      }
      this.tx.update(areas).set(next).where(eq(areas.id, current.id)).run()
      this.event('area.imported', 'area', current.id, r.ref, 'updated')
      c.updated++
    }
    return c
  }

  organizations(records: OrgRecord[]): SectionCounts {
    const c = counts()
    for (const r of records) {
      const stored = this.state.orgsByRef.get(r.ref)
      const current = stored && this.tx.select().from(organizations).where(eq(organizations.id, stored.id)).get()!
      const areaId = this.areaIds.get(r.area)!
      // As on the site (orgs.trustSurvives): a vouching or endorsement was given for a kind and an area, and
      // a change of either withdraws it. A trust level the file states is then given anew, if the importer may.
      const before = !current
        ? 'self_declared'
        : orgs.trustSurvives(current, { kind: r.kind, areaId })
          ? current.trust
          : 'self_declared'
      const trust = r.trust ?? before
      const next = {
        name: r.name,
        kind: r.kind,
        areaId,
        registered: r.registered,
        trust,
        focus: r.focus,
        members: r.members ?? null,
        description: r.description ?? '',
      }
      if (!current || !same(next, current)) {
        const refusal = this.rights.trustRefusal(before, trust)
        if (current && !this.rights.covers(current.areaId))
          this.refuse('organizations', r.ref, null, { key: 'ledger.org_not_yours' })
        else if (!this.rights.covers(areaId))
          this.refuse('organizations', r.ref, 'area', { key: 'ledger.area_not_yours', params: { ref: r.area } })
        else if (refusal) this.refuse('organizations', r.ref, 'trust', refusal)
      }
      if (!current) {
        const row = this.tx
          .insert(organizations)
          .values({ ...next, ref: r.ref, createdAt: this.at, updatedAt: this.at })
          .returning({ id: organizations.id })
          .get()
        this.orgIds.set(r.ref, row.id)
        this.event('org.imported', 'organization', row.id, r.ref, 'created')
        c.created++
      } else if (same(next, current)) c.unchanged++
      else {
        // Contact details are not in the format, so an import never touches them.
        this.tx
          .update(organizations)
          .set({ ...next, updatedAt: this.at, version: sql`${organizations.version} + 1` })
          .where(eq(organizations.id, current.id))
          .run()
        this.event('org.imported', 'organization', current.id, r.ref, 'updated')
        if (TRUST_LEVELS.indexOf(trust) < TRUST_LEVELS.indexOf(current.trust) && before !== current.trust) {
          events.record(
            this.tx,
            {
              actorId: this.actorId,
              action: 'org.trust_reset',
              subjectType: 'organization',
              subjectId: current.id,
              data: { from: current.trust, kind: [current.kind, r.kind], areaId: [current.areaId, areaId] },
            },
            this.now,
          )
        }
        c.updated++
      }
    }
    return c
  }

  needs(records: NeedRecord[]): SectionCounts {
    const c = counts()
    for (const r of records) {
      const current = this.state.needsByRef.get(r.ref)
      const reserved = current ? current.quantity - current.remaining : 0
      const remaining = r.quantity - reserved
      // "open" in a file means "not closed": how much is met follows from the matches that reserve it.
      const derived = demandStatus(r.quantity, remaining)
      const keepStatus = current && !['open', 'partly_met', 'met'].includes(current.status) ? current.status : derived
      const status = r.status === undefined ? keepStatus : r.status === 'open' ? derived : r.status
      const next = {
        orgId: this.orgIds.get(r.org)!,
        category: r.category,
        title: r.title,
        description: r.description ?? '',
        quantity: r.quantity,
        remaining,
        unit: this.state.units.get(r.category)!,
        fromDate: r.from ?? null,
        untilDate: r.until ?? null,
        schedule: r.schedule ?? null,
        areaId: this.areaIds.get(r.area)!,
        place: r.place ?? '',
        urgency: r.urgency,
        beneficiaries: r.beneficiaries ?? null,
        expiresAt: r.expires ?? current?.expiresAt ?? defaultExpiry(this.now),
        status,
        closeReason:
          r.status === undefined
            ? (current?.closeReason ?? null)
            : r.status === 'closed'
              ? (r.close_reason ?? null)
              : null,
      }
      const row = this.upsert(needs, 'need', r.ref, current, next, c, this.subject(r, current), r.topics !== undefined)
      if (!row) continue
      indexListing(sqliteOf(this.db), 'need', row)
    }
    return c
  }

  offers(records: OfferRecord[]): SectionCounts {
    const c = counts()
    for (const r of records) {
      const current = this.state.offersByRef.get(r.ref)
      const reserved = current ? current.quantity - current.remaining : 0
      const status = r.status ?? current?.status ?? 'open'
      const next = {
        orgId: this.orgIds.get(r.org)!,
        category: r.category,
        title: r.title,
        description: r.description ?? '',
        quantity: r.quantity,
        remaining: r.quantity - reserved,
        unit: this.state.units.get(r.category)!,
        fromDate: r.from ?? null,
        untilDate: r.until ?? null,
        schedule: r.schedule ?? null,
        servesAreaId: this.areaIds.get(r.serves)!,
        minTrust: r.conditions.min_trust,
        focus: r.conditions.focus,
        expiresAt: r.expires ?? current?.expiresAt ?? defaultExpiry(this.now),
        status,
        closeReason:
          r.status === undefined
            ? (current?.closeReason ?? null)
            : r.status === 'closed'
              ? (r.close_reason ?? null)
              : null,
        // Closed by this ledger now, or still closed since an earlier time.
        closedAt: status !== 'closed' ? null : current?.status === 'closed' ? current.closedAt : this.at,
      }
      const row = this.upsert(
        offers,
        'offer',
        r.ref,
        current,
        next,
        c,
        this.subject(r, current),
        r.topics !== undefined,
      )
      if (!row) continue
      indexListing(sqliteOf(this.db), 'offer', row)
    }
    return c
  }

  private refOfOrg(id: number): string {
    for (const [ref, orgId] of this.orgIds) if (orgId === id) return ref
    return String(id)
  }

  /**
   * Topics the file gives are chosen ones; absent, a topic chosen before stays (as other absent fields do)
   * unless the category changed, and otherwise they are inferred from the text like keywords always are.
   */
  private subject(r: NeedRecord | OfferRecord, current: NeedRow | OfferRow | undefined) {
    const kept = current?.topicsConfirmed && current.category === r.category ? (current.topics ?? undefined) : undefined
    return topics.subjectFor(this.tx, r.category, r.title, r.description, r.topics ?? kept)
  }

  /**
   * Inserts, updates (version + 1) or leaves alone; returns the written row, or undefined when unchanged.
   * `subject` (topics, keywords) is written with the row; it counts as a change only when the file gave topics,
   * since otherwise it follows from the text and the vocabulary: a new synonym is for re-tagging, not an import.
   */
  private upsert<R extends NeedRow | OfferRow>(
    table: typeof needs | typeof offers,
    kind: 'need' | 'offer',
    ref: string,
    current: R | undefined,
    fields: Record<string, unknown>,
    c: SectionCounts,
    subject: topics.StoredSubject,
    given: boolean,
  ): R | undefined {
    const t = table as typeof needs
    const section = kind === 'need' ? 'needs' : 'offers'
    const orgId = fields.orgId as number
    const compared = given ? { ...fields, topics: subject.topics, topicsConfirmed: subject.topicsConfirmed } : fields
    const next = { ...fields, ...subject }
    if (!current || !same(compared, current)) {
      // On behalf of an organization the importer looks after, the one it belongs to now and the one it moves to.
      if (current && !this.looksAfter(current.orgId))
        this.refuse(section, ref, null, { key: 'ledger.listing_not_yours' })
      else if (!this.looksAfter(orgId))
        this.refuse(section, ref, 'org', { key: 'ledger.org_outside', params: { ref: this.refOfOrg(orgId) } })
    }
    if (!current) {
      const row = this.tx
        .insert(t)
        .values({ ...(next as typeof needs.$inferInsert), ref, createdAt: this.at, updatedAt: this.at })
        .returning()
        .get() as R
      this.event(`${kind}.imported`, kind, row.id, ref, 'created')
      c.created++
      return row
    }
    if (same(compared, current)) {
      // Not yet tagged (a row written before topics, or raw): tagged now, which is not an edit.
      if (current.topics === null || current.keywords === null)
        this.tx.update(t).set({ topics: subject.topics, keywords: subject.keywords }).where(eq(t.id, current.id)).run()
      c.unchanged++
      return undefined
    }
    const row = this.tx
      .update(t)
      .set({ ...next, updatedAt: this.at, version: sql`${t.version} + 1` })
      .where(eq(t.id, current.id))
      .returning()
      .get() as R
    this.event(`${kind}.imported`, kind, row.id, ref, 'updated')
    c.updated++
    return row
  }
}
