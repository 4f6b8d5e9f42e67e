import { describe, expect, it } from 'vitest'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import {
  afterRemoval,
  invitationLink,
  invitationView,
  peopleView,
  refusalView,
  type loadPeople,
} from '../../../src/members/members.pages.js'

const t = (key: string) => key
const user = (extra: Partial<CurrentUser> = {}) =>
  ({ id: 1, role: 'member', orgIds: [], memberOrgIds: [], lookedAfterOrgIds: [], ...extra }) as unknown as CurrentUser

const people = {
  org: { id: 5, name: '广场舞队' },
  invitations: [],
  requests: [],
  people: [
    { userId: 1, name: '我', role: 'leader' },
    { userId: 2, name: '李姐', role: 'member' },
  ],
} as unknown as ReturnType<typeof loadPeople>

describe("a group's people page", () => {
  it('marks the viewer and offers the group only to the others', () => {
    const v = peopleView(people, user({ orgIds: [5] }), t)
    expect(v.people.map((p) => p.me)).toEqual([true, false])
    expect(v.others.map((p) => p.userId)).toEqual([2])
    expect([v.leads, v.lookedAfter]).toEqual([true, false])
    expect(v.values).toEqual({ role: 'member' })
  })

  it('shows the broker looking after the group as such, and the link only when one was just made', () => {
    const v = peopleView(people, user({ id: 9, role: 'broker', lookedAfterOrgIds: [5] }), t, {
      link: 'https://x/invitations?token=s',
    })
    expect([v.leads, v.lookedAfter, v.link]).toEqual([false, true, 'https://x/invitations?token=s'])
    expect(peopleView(people, user({ orgIds: [5] }), t, { errors: {} }).errors).toBeUndefined()
  })
})

describe('an invitation link', () => {
  const invitation = { id: 3, orgId: 5, role: 'member', orgName: '广场舞队' } as never

  it('is gone (410) when unknown, used or expired, and keeps a given status such as 422', () => {
    expect(invitationView(undefined, null, undefined, t).status).toBe(410)
    expect(invitationView(undefined, null, undefined, t).data.problem).toBe('members.invitation.unknown')
    expect(invitationView({ problem: 'members.invitation.used', invitation }, null, 'tok', t).status).toBe(410)
    expect(invitationView(undefined, null, undefined, t, 422).status).toBe(422)
    expect(invitationView({ invitation }, null, 'tok', t).status).toBe(200)
  })

  it('comes back to itself after signing in, and tells someone already in the group', () => {
    const v = invitationView({ invitation }, user({ memberOrgIds: [5] }), 'a b', t)
    expect(v.data.next).toBe('/invitations?token=a%20b')
    expect(v.data.already).toBe(true)
    expect(invitationView({ invitation }, user(), 'tok', t).data.already).toBe(false)
    expect(invitationView({ invitation }, null, 'tok', t).data.already).toBe(false)
  })
})

describe('after a change to the people', () => {
  it('sends someone who left to the group page, a leader who removed someone back to the people', () => {
    expect(afterRemoval(5, true)).toEqual({ flash: 'members.left', url: '/orgs/5' })
    expect(afterRemoval(5, false)).toEqual({ flash: 'members.removed', url: '/orgs/5/people' })
  })

  it('says a refusal in words on the error page, a generic one when there is no problem to name', () => {
    expect(refusalView({ _: { key: 'members.last_leader' } }, 409, t)).toEqual({
      message: 'members.last_leader',
      status: 409,
    })
    expect(refusalView({}, 422, t)).toEqual({ message: 'error.bad_request', status: 422 })
  })

  it("links an invitation under the site's address however it was configured", () => {
    expect(invitationLink('https://ab.example//', 's3cret')).toBe('https://ab.example/invitations?token=s3cret')
  })
})
