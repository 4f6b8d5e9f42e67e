import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale } from '../i18n/i18n.js'
import * as orgs from './orgs.js'
import * as areas from '../areas/areas.js'
import * as coverage from '../areas/coverage.js'
import * as invitations from '../inventory/invitations.js'
import * as members from '../members/members.js'
import * as joining from '../members/join-requests.js'
import * as matchesSvc from '../brokering/match-record.js'
import * as capacity from '../capacity/capacity.js'
import * as partnerships from '../brokering/partnerships.js'
import { FOCUS_GROUPS, ORG_KINDS, PARTNERSHIP_END_REASONS } from '../db/schema.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

type Viewer = CurrentUser | null

/** What every organization form offers: kinds, focus groups, areas. */
export const orgFormData = (db: Db, locale: Locale) => ({
  form: true,
  kinds: ORG_KINDS,
  focusGroups: FOCUS_GROUPS,
  areaOptions: areas.options(db, locale),
})

/**
 * What orgs/new and orgs/edit are given: the form as typed with what to fix; editing a vouched or endorsed group
 * (`trust`, the saved one) warns that changing its kind or area withdraws that.
 */
export function orgFormView(
  form: ReturnType<typeof orgFormData>,
  values: object,
  errors: FieldErrors = {},
  trust?: orgs.Trust,
) {
  return { ...form, values, errors, ...(trust ? { trustAtStake: trust !== 'self_declared', trust } : {}) }
}

/**
 * Where registering a group leads: back to the listing form that sent the person here, with the group chosen (and an
 * invitation to give carried along), else to the group's page.
 */
export function afterRegistering(orgId: number, form: { next?: string; give?: string }) {
  if (!form.next) return { flash: 'orgs.created', url: `/orgs/${orgId}` }
  const give = form.give ? `&give=${encodeURIComponent(form.give)}` : ''
  return { flash: 'orgs.created_back', url: `${form.next}?orgId=${orgId}${give}` }
}

/** A new organization's starting values; invited to give, it starts as the prospect the broker wrote down. */
export function newOrgValues(db: Db, q: { next?: string; give?: string }) {
  const invited = q.give ? invitations.find(db, q.give) : undefined
  const from = invited ? { name: invited.prospect.name, areaId: invited.prospect.areaId, give: q.give } : {}
  return { kind: 'community_group', focus: [], next: q.next, ...from }
}

export function loadOrg(db: Db, viewer: Viewer, id: number) {
  const org = orgs.get(db, id)
  if (!org) throw new NotFound()
  return {
    org,
    viewer,
    leaders: orgs.leaders(db, id),
    covers: !!viewer && coverage.brokerCovers(db, viewer, org.areaId),
    joinRequested: !!viewer && !!joining.openRequestOf(db, viewer.id, id),
    answered: matchesSvc.answeredFor(db, id),
    // The capacity record is internal: undefined (nothing shown) for visitors and other organizations.
    capacity: capacity.section(db, viewer, id),
    partnerships: partnerships.forOrg(db, viewer, org),
  }
}

/**
 * An organization's page and what this visitor may do there: its leaders edit it; a broker covering its area
 * vouches for a self-declared one and assists it; an admin endorses; anyone signed in who is not yet in it may ask
 * to join; who answers for the group is said when nobody does.
 */
export function orgView(d: ReturnType<typeof loadOrg>) {
  const { org, viewer: user } = d
  const id = org.id
  return {
    org,
    title: org.name,
    leaders: d.leaders,
    canEdit: !!user?.orgIds.includes(id),
    canManagePeople: members.canManage(user, id),
    lookedAfterByMe: !!user?.lookedAfterOrgIds.includes(id) && !user.orgIds.includes(id),
    canAssist: !!user && user.role === 'broker' && d.covers,
    canJoin: !!user && !user.orgIds.includes(id) && !user.memberOrgIds.includes(id),
    joinPending: d.joinRequested,
    isMember: !!user?.memberOrgIds.includes(id),
    unanswered: !d.answered,
    canVouch: org.trust === 'self_declared' && d.covers,
    canEndorse: user?.role === 'admin' && org.trust !== 'endorsed',
    capacity: d.capacity,
    partnerships: d.partnerships,
    partnershipReasons: PARTNERSHIP_END_REASONS,
  }
}
