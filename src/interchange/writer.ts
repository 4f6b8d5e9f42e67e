import { eq, sql } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { areas, needs, offers, organizations, TRUST_LEVELS } from '../db/schema.js'
import * as events from '../events/events.js'
import * as areasSvc from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import { defaultExpiry, demandStatus } from '../listings/listings.js'
import type { Problem } from '../shared/errors.js'
import type { AreaRecord, LedgerProblem, NeedRecord, OfferRecord, OrgRecord, Section } from './format.js'
import type { LedgerRights } from './rights.js'
import type { NeedRow, OfferRow, State } from './stored.js'
import * as topics from '../topics/topics.js'
import { indexListing } from '../listings/search-text.js'

// Writing a checked ledger, section by section inside the import's transaction (import.ts): each record is compared
// with what is stored first and written only where it differs, so importing the same file twice changes nothing;
// what the importer could not have done on the site (rights.ts) is collected as it is found.

export interface SectionCounts {
  created: number
  updated: number
  unchanged: number
}

const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null))
const counts = (): SectionCounts => ({ created: 0, updated: 0, unchanged: 0 })

export class Writer {
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
