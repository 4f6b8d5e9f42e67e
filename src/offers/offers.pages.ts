import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as offers from './offers.js'
import * as offerQueries from './offer-queries.js'
import * as matching from '../matching/matching.js'
import * as matchesSvc from '../brokering/match-record.js'
import * as coverage from '../areas/coverage.js'
import * as topics from '../topics/topics.js'
import * as share from '../share/share.js'
import { presenter } from '../matching/present.js'
import { actingOrgIds, actsFor } from '../accounts/accounts.js'
import * as orgs from '../orgs/orgs.js'
import * as invitations from '../inventory/invitations.js'
import { CLOSE_REASONS } from '../db/schema.js'
import { categoryNames, listingToday } from '../listings/listings.js'
import { newListingValues, present } from '../listings/listings.pages.js'
import { fromForm, type OfferForm } from '../listings/forms.js'

/**
 * An offer's page: the offer, the needs it fits ranked, and for each whether the viewer covers that need's area.
 * Scoped like a need's page: the holder, the brokers of an area the offer serves, and admins see matches in progress.
 */
export function loadOfferPage(
  db: Db,
  viewer: CurrentUser | null,
  id: number,
  locale: Locale,
  baseUrl: string,
  now = new Date(),
) {
  const offer = offerQueries.visible(db, viewer, id)
  if (!offer) return undefined
  const owner = actsFor(viewer, offer.orgId)
  const broker = !!viewer && coverage.brokerReaches(db, viewer, offer.servesAreaId)
  const admin = viewer?.role === 'admin'
  // As a need's page: the versions of what the page remembers, in one statement.
  const seen = matching.pageVersions(db)
  const found = matching.needsForOffer(db, offer.id, { seen, row: offer })!
  // Read once for both: each ask of the vocabulary reads its version, a statement.
  const vocab = topics.vocabulary(db, seen)
  const say = presenter(db, locale, vocab)
  return {
    offer,
    owner,
    broker,
    today: listingToday(now),
    matches: found.matches.map((m) => ({
      ...m,
      reasons: say.fit(m.reasons, m.score),
      covered: broker && !!viewer && coverage.brokerCovers(db, viewer, m.need.areaId),
    })),
    total: found.total,
    progress: owner || broker || admin ? matchesSvc.ofListing(db, { offerId: offer.id }) : [],
    shown: present(offer, locale, topics.namerOf(vocab, locale)),
    categoryNames: categoryNames(db, locale, seen),
    share: share.panel(baseUrl, 'offer', offer),
    help: share.help(db, viewer, 'offer', offer),
  }
}

export type OfferPage = NonNullable<ReturnType<typeof loadOfferPage>>

/**
 * What offers/show is given. Only an open offer can be pledged (by its group) or proposed for (by a broker who covers
 * the need's area as well as reaching the offer's); its group and reaching brokers see the close and renew forms.
 */
export function offerPageView(data: OfferPage, t: Translate, idem: string) {
  const { offer } = data
  const open = offer.status === 'open'
  return {
    matches: data.matches.map(({ covered, ...m }) => ({
      ...m,
      quantity: Math.min(m.need.remaining, offer.remaining),
      canPropose: open && covered,
    })),
    matchTotal: data.total,
    progress: data.progress,
    canPledge: data.owner && open,
    idem,
    offer: {
      ...data.shown,
      focusText: offer.focus.map((f) => t(`focus.${f}`)).join(t('list.separator')),
    },
    owner: data.owner,
    form: data.owner || data.broker,
    closeReasons: CLOSE_REASONS,
    today: data.today,
    categoryNames: data.categoryNames,
    title: offer.title,
    share: data.share,
    help: data.help,
  }
}

/** The new-offer form's start: the groups the poster acts for and, from `?give=`, an invitation to give. */
export function loadNewOffer(db: Db, viewer: CurrentUser, query: { orgId?: number; give?: string }) {
  return {
    acting: actingOrgIds(viewer),
    orgs: orgs.actingFor(db, viewer),
    orgId: query.orgId,
    give: query.give,
    invited: query.give ? invitations.find(db, query.give) : undefined,
  }
}

/**
 * Where a new offer starts. Someone who acts for no group registers one first, carrying the invitation along if it
 * still holds; an invitation fills the form from the prospect the broker wrote down; one used or expired is said.
 */
export function newOfferStart(d: ReturnType<typeof loadNewOffer>, now = new Date()) {
  const { invited, give } = d
  const expired = !!give && !invited
  if (d.acting.length === 0) {
    const carried = invited && give ? `&give=${encodeURIComponent(give)}` : ''
    return { expired, redirect: `/orgs/new?next=%2Foffers%2Fnew${carried}` }
  }
  const values = newListingValues(d.orgs, d.orgId, now)
  return {
    expired,
    values: invited && give ? { ...values, ...invitations.offerDefaults(invited.prospect), give } : values,
  }
}

/** A new offer from its form; one answering an invitation to give spends the link in the offer's own write. */
export function postOffer(db: Db, user: CurrentUser, { give, ...form }: OfferForm & { give?: string }) {
  const redeem = give ? (tx: Db, offer: offers.Offer) => void invitations.redeem(tx, user, give, offer) : undefined
  return offers.post(db, user, fromForm(form), new Date(), redeem)
}
