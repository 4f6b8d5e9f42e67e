import type { Locale, Translate } from '../i18n/i18n.js'
import { CLOSE_REASONS } from '../db/schema.js'
import * as notifications from './notifications.js'

type Row = ReturnType<typeof notifications.inbox>[number]

// Links come from our own services, but an href is still only ever a same-site path.
const sameSite = (link: string | null) => (link && /^\/(?![/\\])/.test(link) ? link : undefined)

/** A notice as the inbox shows it: in the reader's language, with its link and, for "still needed?", its forms. */
function present(locale: Locale, n: Row) {
  const id = Number(n.params.id)
  const listing =
    n.kind === 'listing.expiring' && Number.isInteger(id) && id > 0
      ? { path: n.params.kind === 'offer' ? 'offers' : 'needs', id }
      : undefined
  return {
    id: n.id,
    text: notifications.describe(locale, n),
    link: sameSite(n.link),
    createdAt: n.createdAt,
    isUnread: !n.readAt,
    listing,
  }
}

/**
 * What notifications/inbox is given. Just after everything was marked read (`marked`), the header's badge says
 * none and is swapped out of band beside the list.
 */
export function inboxView(rows: Row[], locale: Locale, t: Translate, { marked = false } = {}) {
  return {
    items: rows.map((n) => present(locale, n)),
    closeReasons: CLOSE_REASONS,
    title: t('inbox.title'),
    ...(marked ? { unread: 0, oob: true } : {}),
  }
}
