import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Translate } from '../i18n/i18n.js'
import * as members from './members.js'
import * as invitations from './invitations.js'
import * as joining from './join-requests.js'
import * as orgs from '../orgs/orgs.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

/** A group's people, to its leaders and the broker looking after it; to anyone else the page does not exist. */
export function loadPeople(db: Db, viewer: CurrentUser, orgId: number) {
  const org = orgs.get(db, orgId)
  if (!org || !members.canManage(viewer, orgId)) throw new NotFound()
  return {
    org,
    people: members.people(db, orgId),
    invitations: invitations.pendingInvitations(db, orgId),
    requests: joining.openJoinRequests(db, orgId),
  }
}

export interface PeopleExtra {
  errors?: FieldErrors
  link?: string
  values?: Record<string, unknown>
}

/**
 * The people page: the viewer marked among the people and left out of those a group can be handed to; a leader
 * sees it as theirs, the broker looking after it as such; an invitation's link only on the answer that made it.
 */
export function peopleView(
  d: ReturnType<typeof loadPeople>,
  viewer: CurrentUser,
  t: Translate,
  extra: PeopleExtra = {},
) {
  const people = d.people.map((p) => ({ ...p, me: p.userId === viewer.id }))
  const leads = viewer.orgIds.includes(d.org.id)
  return {
    org: d.org,
    people,
    invitations: d.invitations,
    requests: d.requests,
    roles: members.GROUP_ROLES,
    leads,
    lookedAfter: !leads,
    others: people.filter((p) => !p.me),
    link: extra.link,
    values: extra.values ?? { role: 'member' },
    errors: extra.errors && Object.keys(extra.errors).length ? extra.errors : undefined,
    title: t('members.title', { org: d.org.name }),
  }
}

/** An invitation link's page: why it cannot be used (410), or what joining means; already in the group is said. */
export function invitationView(
  found: ReturnType<typeof invitations.lookUp> | undefined,
  viewer: CurrentUser | null,
  token: string | undefined,
  t: Translate,
  status = 200,
  problem?: string,
) {
  const shown = found ?? { problem: 'members.invitation.unknown' as const, invitation: undefined }
  const message = problem ?? shown.problem
  const orgId = shown.invitation?.orgId
  return {
    status: message ? (status === 200 ? 410 : status) : status,
    data: {
      invitation: shown.invitation,
      problem: message,
      token,
      next: token ? `/invitations?token=${encodeURIComponent(token)}` : '/',
      title: t('members.invitation.title'),
      already: !!(
        viewer &&
        orgId !== undefined &&
        (viewer.orgIds.includes(orgId) || viewer.memberOrgIds.includes(orgId))
      ),
    },
  }
}

/** An invitation's link, shown once on the answer that made it: the secret is kept only as a hash. */
export const invitationLink = (baseUrl: string, token: string) =>
  `${baseUrl.replace(/\/+$/, '')}/invitations?token=${token}`

/** Where removing someone leads: whoever left the group goes to its page, a leader who removed someone to its people. */
export function afterRemoval(orgId: number, leaving: boolean) {
  return leaving
    ? { flash: 'members.left', url: `/orgs/${orgId}` }
    : { flash: 'members.removed', url: `/orgs/${orgId}/people` }
}

/** A refusal for someone with no people page to be shown it on: the error page with the problem in words. */
export function refusalView(errors: FieldErrors, status: number, t: Translate) {
  return { message: t(errors._?.key ?? 'error.bad_request'), status }
}
