import { eq, inArray } from 'drizzle-orm'
import QRCode from 'qrcode'
import type { Db } from '../db/client.js'
import { needs as needsTable, offers as offersTable, organizations } from '../db/schema.js'
import * as needs from '../needs/needs.js'
import * as needQueries from '../needs/need-queries.js'
import * as offerQueries from '../offers/offer-queries.js'
import * as matching from '../matching/matching.js'
import type { CurrentUser } from '../accounts/accounts.js'

/**
 * Sharing a listing into a WeChat group: a short link (`/n/12`, `/o/45`) that opens it, its QR code, a poster
 * to print; and what a person who opens it can do there ("I can help"). Only open listings are shared: a draft
 * is nobody's business but its group's, and a closed one must not draw people to something that is over.
 */

export type Kind = 'need' | 'offer'

export const shortPath = (kind: Kind, id: number) => `/${kind === 'need' ? 'n' : 'o'}/${id}`
export const listingPath = (kind: Kind, id: number) => `/${kind}s/${id}`
/** The address printed on posters and encoded in QR codes: absolute, since it leaves the site. */
export const shortUrl = (baseUrl: string, kind: Kind, id: number) =>
  `${baseUrl.replace(/\/+$/, '')}${shortPath(kind, id)}`

const OPEN: Record<Kind, readonly string[]> = { need: needs.ACTIVE, offer: ['open'] }

export type Listing<K extends Kind> = NonNullable<
  ReturnType<K extends 'need' ? typeof needQueries.get : typeof offerQueries.get>
>

/**
 * What a short link names: the listing and whether it may be shared (open now, by its effective status: an
 * expired or ended one is not). A draft, or an id that names nothing, is undefined: the link does not exist.
 */
export function resolve<K extends Kind>(
  db: Db,
  kind: K,
  id: number,
  now = new Date(),
): { listing: Listing<K>; shared: boolean } | undefined {
  const listing = (kind === 'need' ? needQueries.get(db, id, now) : offerQueries.get(db, id, now)) as
    Listing<K> | undefined
  if (!listing || listing.status === 'draft') return undefined
  return { listing, shared: OPEN[kind].includes(listing.status) }
}

/** The QR code of a short link, as SVG (no script, no external reference: safe to serve as an image). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}

export interface Panel {
  kind: Kind
  url: string
  qr: string
  poster: string
}

/** The share panel of an open listing's page; none for others. */
export const panel = (baseUrl: string, kind: Kind, listing: { id: number; status: string }): Panel | undefined =>
  OPEN[kind].includes(listing.status)
    ? {
        kind,
        url: shortUrl(baseUrl, kind, listing.id),
        qr: `${listingPath(kind, listing.id)}/qr.svg`,
        poster: `${listingPath(kind, listing.id)}/poster`,
      }
    : undefined

export interface Help {
  kind: Kind
  listingId: number
  /** The listing's own path with the section's anchor: where signing in comes back to. */
  back: string
  visitor?: true
  noOrg?: true
  /** The caller's listings that fit this one, each with what it could give (or take) here. */
  items?: { id: number; title: string; orgName: string; remaining: number; unit: string; quantity: number }[]
}

/**
 * "I can help" on an open listing, for anyone but its own group: a visitor is sent to sign in (and back here);
 * someone without a group to register one; a member of a group sees their group's listings that fit this one
 * (the matcher's one definition), each a one-click pledge (or request). Brokers and admins with no group have
 * their own tools on the page and get nothing here.
 */
export function help(
  db: Db,
  user: CurrentUser | null,
  kind: Kind,
  listing: { id: number; orgId: number; status: string; remaining: number },
  now = new Date(),
): Help | undefined {
  if (!OPEN[kind].includes(listing.status)) return undefined
  const back = `${listingPath(kind, listing.id)}#help`
  const base = { kind, listingId: listing.id, back }
  if (!user) return { ...base, visitor: true }
  if (user.orgIds.includes(listing.orgId)) return undefined
  if (user.orgIds.length === 0) return user.role === 'member' ? { ...base, noOrg: true } : undefined
  const t = kind === 'need' ? offersTable : needsTable
  const own = db
    .select({ id: t.id, title: t.title, orgName: organizations.name, remaining: t.remaining, unit: t.unit })
    .from(t)
    .innerJoin(organizations, eq(organizations.id, t.orgId))
    .where(inArray(t.orgId, user.orgIds))
    .orderBy(t.id)
    .all()
  const fitting = new Set(
    matching.fittingAmong(
      db,
      kind,
      listing.id,
      own.map((m) => m.id),
      now,
    ),
  )
  const mine = own.filter((m) => fitting.has(m.id))
  return {
    ...base,
    items: mine.map((m) => ({ ...m, quantity: Math.max(1, Math.min(m.remaining, listing.remaining)) })),
  }
}
