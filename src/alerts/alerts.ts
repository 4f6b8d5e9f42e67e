import { eq, sql } from 'drizzle-orm'
import { preparedOn, sqliteOf, type Db } from '../db/client.js'
import { fitAlerts, needs, offers, organizations } from '../db/schema.js'
import * as matching from '../matching/matching.js'
import { answerersFor } from '../members/answering.js'
import * as jobs from '../jobs/jobs.js'
import { isActiveNeed, isAvailableOffer, listingToday } from '../listings/listings.js'
import { notify } from '../notifications/notifications.js'
import { stamp } from '../db/memo.js'

/**
 * "New fit" alerts: when a listing is posted or changed so that it fits a listing on the other side that nothing
 * fitted before, that listing's leaders hear it once. Who fits is the matcher's one definition
 * (matching.offersFitting / needsFitting); this module only decides who is told and remembers the pair.
 */

export type Side = 'need' | 'offer'
export const JOB_KIND = 'fit.alerts'

/**
 * Queued in the transaction of the write that posted, published, edited or renewed a listing, so the alert
 * exists exactly when the write does, and the search for fits runs off the request, in the scheduler's next round.
 * `at` is the write's time: listings changed after it are not counted as fits the other side had before.
 */
export function queue(db: Db, side: Side, id: number, now = new Date()) {
  const at = now.toISOString()
  jobs.schedule(db, { key: `fit:${side}:${id}:${at}`, kind: JOB_KIND, runAt: now, payload: { side, id, at } })
}

// Asked for the listing and each listing told, on every job: prepared once per connection.
const needQuery = preparedOn((db) =>
  db
    .select({
      id: needs.id,
      orgId: needs.orgId,
      title: needs.title,
      org: organizations.name,
      status: needs.status,
      remaining: needs.remaining,
      expiresAt: needs.expiresAt,
      untilDate: needs.untilDate,
      updatedAt: needs.updatedAt,
    })
    .from(needs)
    .innerJoin(organizations, eq(organizations.id, needs.orgId))
    .where(eq(needs.id, sql.placeholder('id')))
    .prepare(),
)
const offerQuery = preparedOn((db) =>
  db
    .select({
      id: offers.id,
      orgId: offers.orgId,
      title: offers.title,
      org: organizations.name,
      status: offers.status,
      remaining: offers.remaining,
      expiresAt: offers.expiresAt,
      untilDate: offers.untilDate,
      updatedAt: offers.updatedAt,
    })
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .where(eq(offers.id, sql.placeholder('id')))
    .prepare(),
)
const needInfo = (db: Db, id: number) => needQuery(db).get({ id })
const offerInfo = (db: Db, id: number) => offerQuery(db).get({ id })
const written = {
  need: preparedOn((db) => sqliteOf(db).prepare('SELECT 1 FROM needs WHERE id = ? AND updated_at < ?').pluck()),
  offer: preparedOn((db) => sqliteOf(db).prepare('SELECT 1 FROM offers WHERE id = ? AND updated_at < ?').pluck()),
}
// The same of many ids at once, passed as one JSON array: more ids than a statement may bind.
const writtenAmong = {
  need: preparedOn((db) =>
    sqliteOf(db)
      .prepare('SELECT n.id FROM json_each(?) j JOIN needs n ON n.id = j.value WHERE n.updated_at < ?')
      .pluck(),
  ),
  offer: preparedOn((db) =>
    sqliteOf(db)
      .prepare('SELECT o.id FROM json_each(?) j JOIN offers o ON o.id = j.value WHERE o.updated_at < ?')
      .pluck(),
  ),
}

/**
 * The job: for the listing written at `at`, every listing of the other side that was there then, that it fits,
 * and that no other listing fitted before gets one notice to its organization's leaders — one per pair ever (fit_alerts' key),
 * in the inbox and by each leader's e-mail setting (notify(): instant, digest or off).
 *
 * In two steps, as the scheduler runs it (jobs.ts ReadFirst): who is told is read now, before the job's transaction,
 * where the matcher's kept views answer as they do for a page (inside a transaction they are not patched, and every
 * job re-read each listing written since the last page); what it returns writes the alerts, in the transaction, and
 * returns the pairs alerted. Nothing else runs on this connection in between, but another process may write: if any
 * table a fit reads moved (memo.ts's counters, bumped by every write of any process), who is told is read again then.
 */
export function readNewFits(db: Db, side: Side, id: number, at: string, now = new Date()): () => number {
  const sqlite = sqliteOf(db)
  const seen = stamp(sqlite)
  const found = newFits(db, side, id, at, now)
  return () => {
    const fits = stamp(sqlite) === seen ? found : newFits(db, side, id, at, now)
    return fits ? tell(db, side, fits, now) : 0
  }
}

type Info = NonNullable<ReturnType<typeof needInfo>>
interface Fits {
  listing: Info
  /** The other side's listings told, of other organizations. */
  others: Info[]
}

/** Who readNewFits tells: undefined when the listing is not active (or available) now. Reads only. */
function newFits(db: Db, side: Side, id: number, at: string, now: Date): Fits | undefined {
  const today = listingToday(now)
  const listing = side === 'offer' ? offerInfo(db, id) : needInfo(db, id)
  if (!listing) return undefined
  if (side === 'offer' ? !isAvailableOffer(listing, today) : !isActiveNeed(listing, today)) return undefined
  // Only listings that were there when this one was written: one written later had this one in view when it was
  // posted, and its own job decides for that pair. Asked of one listing at a time, or of the hundreds of witnesses
  // a new offer's candidate needs name in one statement (`ask`, from first-fits.ts). The same few listings are asked
  // again and again (one offer is the first other fit of many needs): each is asked once.
  const asked = { need: new Map<number, boolean>(), offer: new Map<number, boolean>() }
  const before: matching.Before = Object.assign(
    (s: Side, x: number) => {
      let was = asked[s].get(x)
      if (was === undefined) asked[s].set(x, (was = written[s](db).get(x, at) !== undefined))
      return was
    },
    {
      ask: (s: Side, ids: readonly number[]) => {
        const fresh = ids.filter((x) => !asked[s].has(x))
        if (fresh.length < 2) return
        for (const x of fresh) asked[s].set(x, false)
        for (const x of writtenAmong[s](db).all(JSON.stringify(fresh), at) as number[]) asked[s].set(x, true)
      },
    },
  )
  const others: Info[] = []
  for (const otherId of matching.firstFitFor(db, side, id, before, now)) {
    const other = side === 'offer' ? needInfo(db, otherId) : offerInfo(db, otherId)
    if (other && other.orgId !== listing.orgId) others.push(other)
  }
  return { listing, others }
}

/** Remembers each pair and tells the other side's leaders of those not told before. Writes only. */
function tell(db: Db, side: Side, { listing, others }: Fits, now: Date): number {
  const otherSide: Side = side === 'offer' ? 'need' : 'offer'
  let alerted = 0
  for (const other of others) {
    const [needId, offerId] = side === 'offer' ? [other.id, listing.id] : [listing.id, other.id]
    const inserted = db
      .insert(fitAlerts)
      .values({ needId, offerId, side: otherSide, createdAt: now.toISOString() })
      .onConflictDoNothing()
      .run()
    if (inserted.changes !== 1) continue
    const need = side === 'offer' ? other : listing,
      offer = side === 'offer' ? listing : other
    // Its leaders; a group with none is looked after by the brokers covering it, and they hear it instead.
    notify(
      db,
      answerersFor(db, other.orgId),
      {
        kind: side === 'offer' ? 'fit.offer' : 'fit.need',
        params: { need: need.title, needOrg: need.org, offer: offer.title, offerOrg: offer.org },
        link: side === 'offer' ? `/needs/${needId}` : `/offers/${offerId}`,
      },
      now,
    )
    alerted++
  }
  return alerted
}
