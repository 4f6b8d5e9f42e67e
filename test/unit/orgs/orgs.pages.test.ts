import { describe, expect, it } from 'vitest'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import { afterRegistering, orgFormView, orgView, type loadOrg, type orgFormData } from '../../../src/orgs/orgs.pages.js'

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

describe('the organization forms', () => {
  const form = { form: true, kinds: [], focusGroups: [], areaOptions: [] } as unknown as ReturnType<typeof orgFormData>

  it('warns when editing a vouched or endorsed group that changing its kind or area withdraws that', () => {
    expect(orgFormView(form, {}, {}, 'vouched')).toMatchObject({ trustAtStake: true, trust: 'vouched' })
    expect(orgFormView(form, {}, {}, 'self_declared')).toMatchObject({ trustAtStake: false })
    expect('trustAtStake' in orgFormView(form, {})).toBe(false)
  })

  it('gives a refused form back as typed, with each problem', () => {
    const v = orgFormView(form, { name: '舞' }, { name: { key: 'validation.too_short' } })
    expect([v.values, v.errors]).toEqual([{ name: '舞' }, { name: { key: 'validation.too_short' } }])
  })

  it('sends someone who registered on the way to a listing form back to it, with the group and invitation', () => {
    expect(afterRegistering(7, { next: '/offers/new', give: 'a b' })).toEqual({
      flash: 'orgs.created_back',
      url: '/offers/new?orgId=7&give=a%20b',
    })
    expect(afterRegistering(7, { next: '/needs/new' }).url).toBe('/needs/new?orgId=7')
    expect(afterRegistering(7, {})).toEqual({ flash: 'orgs.created', url: '/orgs/7' })
  })
})
