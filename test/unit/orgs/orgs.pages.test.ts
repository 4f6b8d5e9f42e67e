import { describe, expect, it } from 'vitest'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import { orgView, type loadOrg } from '../../../src/orgs/orgs.pages.js'

const user = (extra: Partial<CurrentUser> = {}) =>
  ({ id: 1, role: 'member', orgIds: [], memberOrgIds: [], lookedAfterOrgIds: [], ...extra }) as unknown as CurrentUser

function data(viewer: CurrentUser | null, extra: Partial<ReturnType<typeof loadOrg>> = {}): ReturnType<typeof loadOrg> {
  return {
    org: { id: 5, name: '广场舞队', trust: 'self_declared', areaId: 3 },
    viewer,
    leaders: [],
    covers: false,
    joinRequested: false,
    answered: true,
    capacity: undefined,
    partnerships: [],
    ...extra,
  } as unknown as ReturnType<typeof loadOrg>
}

describe("an organization's page", () => {
  it('lets a visitor do nothing but read', () => {
    const v = orgView(data(null))
    expect([v.canEdit, v.canManagePeople, v.canAssist, v.canJoin, v.canVouch, v.canEndorse, v.isMember]).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ])
  })

  it('lets its leader edit it and manage its people, and not ask to join it', () => {
    const v = orgView(data(user({ orgIds: [5] })))
    expect([v.canEdit, v.canManagePeople, v.canJoin, v.lookedAfterByMe]).toEqual([true, true, false, false])
  })

  it('lets a broker covering its area vouch for it while self-declared and assist it; one elsewhere neither', () => {
    const broker = user({ role: 'broker', lookedAfterOrgIds: [5] })
    const covering = orgView(data(broker, { covers: true }))
    expect([covering.canVouch, covering.canAssist, covering.lookedAfterByMe, covering.canManagePeople]).toEqual([
      true,
      true,
      true,
      true,
    ])
    const vouched = orgView(data(broker, { covers: true, org: { id: 5, trust: 'vouched' } as never }))
    expect(vouched.canVouch).toBe(false)
    expect([
      orgView(data(user({ role: 'broker' }))).canVouch,
      orgView(data(user({ role: 'broker' }))).canAssist,
    ]).toEqual([false, false])
  })

  it('lets an admin endorse until endorsed, and a member see its membership instead of a join button', () => {
    expect(orgView(data(user({ role: 'admin' }))).canEndorse).toBe(true)
    expect(orgView(data(user({ role: 'admin' }), { org: { id: 5, trust: 'endorsed' } as never })).canEndorse).toBe(
      false,
    )
    const member = orgView(data(user({ memberOrgIds: [5] })))
    expect([member.isMember, member.canJoin]).toEqual([true, false])
    expect(orgView(data(user(), { joinRequested: true })).joinPending).toBe(true)
  })

  it('says nobody answers for the group when no one does', () => {
    expect(orgView(data(null, { answered: false })).unanswered).toBe(true)
    expect(orgView(data(null)).unanswered).toBe(false)
  })
})
