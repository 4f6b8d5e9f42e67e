import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale } from '../i18n/i18n.js'
import * as needs from './needs.js'
import * as needQueries from './need-queries.js'
import * as matching from '../matching/matching.js'
import * as matchesSvc from '../brokering/match-record.js'
import * as coverage from '../areas/coverage.js'
import * as topics from '../topics/topics.js'
import * as share from '../share/share.js'
import { presenter } from '../matching/present.js'
import { actsFor } from '../accounts/accounts.js'
import { CLOSE_REASONS } from '../db/schema.js'
import { categoryNames, isActiveNeed, listingToday } from '../listings/listings.js'
import * as orgs from '../orgs/orgs.js'
import { listingFormView, loadListingForm, loadNewListingValues, present } from '../listings/listings.pages.js'

/** Who sees a need's matches in progress and its close/renew forms: its group, and a broker covering its area. */
const insider = (v: { owner: boolean; broker: boolean }) => v.owner || v.broker

/** A need's page: the need, its ranked offers (none for a met need) and why others do not fit, in the reader's words. */
export function loadNeedPage(
  db: Db,
  viewer: CurrentUser | null,
  id: number,
  locale: Locale,
  baseUrl: string,
  now = new Date(),
) {
  const need = needQueries.visible(db, viewer, id)
  if (!need) return undefined
  const owner = actsFor(viewer, need.orgId)
  const broker = !!viewer && coverage.brokerCovers(db, viewer, need.areaId)
  const today = listingToday(now)
  // The versions of what the page remembers, read in one statement for the matches, the vocabulary and the categories.
  const seen = matching.pageVersions(db)
  const found =
    need.status === 'met'
      ? { matches: [], total: 0, whyNot: undefined }
      : matching.offersForNeed(db, need.id, { seen, row: need })!
  // Read once for both: each ask of the vocabulary reads its version, a statement.
  const vocab = topics.vocabulary(db, seen)
  const say = presenter(db, locale, vocab)
  return {
    need,
    owner,
    broker,
    today,
    active: isActiveNeed(need, today),
    matches: found.matches.map((m) => ({ ...m, reasons: say.fit(m.reasons, m.score) })),
    total: found.total,
    whyNot: found.whyNot && {
      ...found.whyNot,
      blocked: found.whyNot.blocked.map((b) => say.message(b)),
      unlock: found.whyNot.unlock && say.message(found.whyNot.unlock),
    },
    progress: insider({ owner, broker }) ? matchesSvc.ofListing(db, { needId: need.id }) : [],
    shown: present(need, locale, topics.namerOf(vocab, locale)),
    categoryNames: categoryNames(db, locale, seen),
    share: share.panel(baseUrl, 'need', need),
    help: share.help(db, viewer, 'need', need),
  }
}

export type NeedPage = NonNullable<ReturnType<typeof loadNeedPage>>

/**
 * What needs/show is given. A met need asks for nothing more, and a draft or an ended one cannot be requested for:
 * no buttons, and for a met one no list. Its group may request an offer listed; a covering broker may propose one.
 */
export function needPageView(data: NeedPage, idem: string) {
  const { need } = data
  return {
    matches: data.matches.map((m) => ({ ...m, quantity: Math.min(m.offer.remaining, need.remaining) })),
    matchTotal: data.total,
    progress: data.progress,
    canRequest: data.owner && data.active && data.matches.length > 0,
    canPropose: data.broker && data.active,
    met: need.status === 'met',
    idem,
    whyNot: data.whyNot,
    need: { ...data.shown },
    owner: data.owner,
    awaiting: needs.awaitsConfirmation(need),
    form: insider(data),
    closeReasons: CLOSE_REASONS,
    today: data.today,
    categoryNames: data.categoryNames,
    title: need.title,
    share: data.share,
    help: data.help,
  }
}

/**
 * 代填: the need form a broker fills in for a group in their area, starting at the group and its area; undefined
 * when there is no such group or the broker may not enter needs for it.
 */
export function loadAssistedNeedForm(db: Db, broker: CurrentUser, orgId: number, locale: Locale) {
  const org = orgs.get(db, orgId)
  if (!org || !needs.entersFor(db, broker, orgId)) return undefined
  const values = { ...loadNewListingValues(db, broker), orgId, areaId: org.areaId }
  return { org, values, form: loadListingForm(db, broker, locale, values) }
}

/** What needs/new is given for an assisted group: the form, and the group it is entered for. */
export function assistedNeedFormView(d: NonNullable<ReturnType<typeof loadAssistedNeedForm>>, locale: Locale) {
  return { ...listingFormView(d.form, locale, d.values), assisting: d.org }
}
