import { describe, expect, it } from 'vitest'
import {
  checkinAnswer,
  matchPageView,
  refusedOpening,
  repeatedAnswer,
  type loadMatch,
} from '../../../src/brokering/matches.pages.js'
import { deskView, type loadDesk } from '../../../src/brokering/desk.pages.js'

const t = (key: string, params?: Record<string, unknown>) => `[${key}${params ? JSON.stringify(params) : ''}]`

type MatchPage = ReturnType<typeof loadMatch>
const page = (state: string, sides: string[]): MatchPage =>
  ({
    match: { id: 7, state, sides },
    reasons: [],
    contacts: undefined,
    checkin: undefined,
    history: [],
    reviews: [],
    thread: [],
  }) as unknown as MatchPage

describe('matchPageView: the match page', () => {
  it('lets only the need’s side ask for the arrangement again, and only once it was delivered', () => {
    expect(matchPageView(page('delivered', ['need']), t, 'k').canRepeat).toBe(true)
    expect(matchPageView(page('reviewed', ['need', 'broker']), t, 'k').canRepeat).toBe(true)
    expect(matchPageView(page('delivered', ['offer', 'broker']), t, 'k').canRepeat).toBe(false)
    expect(matchPageView(page('accepted', ['need']), t, 'k').canRepeat).toBe(false)
    expect(matchPageView(page('delivered', []), t, 'k').canRepeat).toBe(false)
  })

  it('passes problems only when there are some, and the page’s one-time key for its forms', () => {
    expect(matchPageView(page('accepted', ['need']), t, 'k', {}).errors).toBeUndefined()
    const refused = matchPageView(page('accepted', ['need']), t, 'key-1', { _: { key: 'match.error.not_allowed' } })
    expect(refused).toMatchObject({ errors: { _: { key: 'match.error.not_allowed' } }, idem: 'key-1' })
    expect(refused.title).toBe('[match.title{"id":7}]')
  })
})

describe('after a match form: what is said and where to go', () => {
  it('says every problem of a refused request in one sentence, with the way back', () => {
    const said = refusedOpening({ quantity: { key: 'a' }, _: { key: 'b', params: { n: 1 } } }, t, '/needs/3')
    expect(said).toEqual({ message: '[a] [b{"n":1}]', back: '/needs/3' })
  })

  it('goes on to the new request after "again", or to the new need alone when the offer could not take it', () => {
    expect(repeatedAnswer({ needId: 4, match: { id: 9 } })).toEqual({ flash: 'match.repeated', to: '/matches/9' })
    expect(repeatedAnswer({ needId: 4 })).toEqual({ flash: 'match.repeated_need_only', to: '/needs/4' })
  })

  it('comes back to the follow-up after a check-in, saying when a partnership began; a repetition leads on', () => {
    expect(checkinAnswer(7, {})).toEqual({ flash: 'checkin.recorded', to: '/matches/7#checkin' })
    expect(checkinAnswer(7, { partnership: { id: 1 } })).toMatchObject({ flash: 'checkin.recorded_partnership' })
    expect(checkinAnswer(7, { repeated: { needId: 4, match: { id: 9 } }, partnership: { id: 1 } })).toEqual({
      flash: 'match.repeated',
      to: '/matches/9',
    })
  })
})

describe('deskView: a broker’s desk', () => {
  const now = new Date('2026-12-06T04:00:00Z')
  const task = (id: number, ownerId: number, dueOn: string, createdAt: string) => ({ id, ownerId, dueOn, createdAt })
  const data = {
    admin: false,
    viewerId: 2,
    queues: { unserved: [] },
    tasks: [
      task(1, 2, '2026-12-01', '2026-11-26T04:00:00Z'),
      task(2, 3, '2026-12-01', '2026-11-26T04:00:00Z'),
      task(3, 2, '2026-12-31', '2026-12-07T04:00:00Z'),
    ],
    brokers: [
      { id: 2, name: '我' },
      { id: 3, name: '陈' },
    ],
    lateAwards: [],
  } as unknown as ReturnType<typeof loadDesk>

  it('shows only the tasks the broker owns, overdue once past due, aged in whole days and never negative', () => {
    const view = deskView(data, now) as { tasks: { id: number; overdue: boolean; age: number }[] }
    expect(view.tasks.map((x) => [x.id, x.overdue, x.age])).toEqual([
      [1, true, 10],
      [3, false, 0],
    ])
  })

  it('hands a match over to any broker but the one at the desk', () => {
    expect((deskView(data, now) as { brokers: { id: number }[] }).brokers.map((b) => b.id)).toEqual([3])
  })

  it('gives an admin every broker’s load and nothing of a broker’s own', () => {
    const loads = [{ id: 2, open: 3 }]
    expect(deskView({ admin: true, loads } as unknown as ReturnType<typeof loadDesk>, now)).toEqual({
      loads,
      admin: true,
    })
  })
})
