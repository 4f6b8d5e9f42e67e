import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import type { FieldErrors } from '../shared/errors.js'
import * as accounts from '../accounts/accounts.js'
import * as areas from '../areas/areas.js'
import * as events from '../events/events.js'
import { catalogue } from '../i18n/i18n.js'

const SUBJECT_LINKS: Record<string, (id: number | null) => string | undefined> = {
  need: (id) => (id ? `/needs/${id}` : undefined),
  offer: (id) => (id ? `/offers/${id}` : undefined),
  match: (id) => (id ? `/matches/${id}` : undefined),
  organization: (id) => (id ? `/orgs/${id}` : undefined),
}

/** The admin's home: every account, the areas a broker may be given, and the latest 50 logged actions. */
export function loadUsers(db: Db, locale: Locale) {
  return {
    users: accounts.list(db),
    areaOptions: areas.options(db, locale),
    events: events.recent(db, { limit: 50 }),
  }
}

/**
 * What admin/users is given: the admin's own account marked (it cannot demote or disable itself), and the log in
 * words, newest first; an action without words yet (a new slice's) shows its code rather than nothing, and a
 * subject links to its page where it has one.
 */
export function usersView(d: ReturnType<typeof loadUsers>, viewer: CurrentUser, locale: Locale, t: Translate) {
  const words = catalogue(locale)
  return {
    users: d.users.map((u) => ({ ...u, isSelf: u.id === viewer.id })),
    roles: accounts.ROLES,
    areaOptions: d.areaOptions,
    title: t('nav.admin'),
    events: d.events.map((e) => ({
      ...e,
      actionText: words[`event.${e.action}`] ?? e.action,
      subjectText: t(`event.subject.${e.subjectType}`),
      subjectLink: SUBJECT_LINKS[e.subjectType]?.(e.subjectId),
    })),
  }
}

export const loadAreaAdmin = (db: Db, locale: Locale) => ({
  tree: areas.tree(db, locale),
  areaOptions: areas.options(db, locale),
})

/** What admin/areas is given: the tree, and a form whose parent is any area but a community (the lowest level). */
export function areaAdminView(
  d: ReturnType<typeof loadAreaAdmin>,
  values: Record<string, unknown> = {},
  errors: FieldErrors = {},
) {
  return { tree: d.tree, areaOptions: d.areaOptions.filter((a) => a.level !== 'community'), values, errors }
}
