import type { Db } from '../db/client.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as share from './share.js'
import * as topics from '../topics/topics.js'
import { categoryNames } from '../listings/listings.js'
import { present } from '../listings/listings.pages.js'

type Found = NonNullable<ReturnType<typeof share.resolve>>

/** A closed listing's short link or poster: 410, with a page that says it is no longer shared and links to it. */
export function closedView(kind: share.Kind, listing: { id: number; title: string; status: string }, t: Translate) {
  return {
    status: 410,
    page: 'share/closed',
    view: { kind, listing, path: share.listingPath(kind, listing.id), title: t(`share.closed.${kind}_title`) },
  }
}

/** A listing's poster; undefined when there is no such listing to share (a draft, or none). */
export function loadPoster(db: Db, kind: share.Kind, id: number, locale: Locale) {
  const found: Found | undefined = share.resolve(db, kind, id)
  if (!found) return undefined
  return { kind, found, names: topics.namer(db, locale), categoryNames: categoryNames(db, locale) }
}

/** What the poster page is given: the listing in the reader's words with its short link and QR code, or the closed page. */
export function posterView(
  d: NonNullable<ReturnType<typeof loadPoster>>,
  baseUrl: string,
  t: Translate,
  locale: Locale,
) {
  const { kind, found } = d
  if (!found.shared) return closedView(kind, found.listing, t)
  const listing = present(found.listing, locale, d.names)
  return {
    status: 200,
    page: 'share/poster',
    view: {
      kind,
      listing,
      category: d.categoryNames[listing.category],
      url: share.shortUrl(baseUrl, kind, listing.id),
      qr: `${share.listingPath(kind, listing.id)}/qr.svg`,
      back: share.listingPath(kind, listing.id),
      title: listing.title,
      poster: true,
    },
  }
}
