import { describe, expect, it } from 'vitest'
import {
  ACTIVE_STATES,
  CONTACT_STATES,
  EVENTS,
  MOVES,
  REASONS,
  STATES,
  available,
  transition,
  type Event,
  type Side,
  type State,
} from '../../../src/brokering/lifecycle.js'

/**
 * The lifecycle as issue 5 describes it, written out by hand (not derived from MOVES): who may do what,
 * from where, and where it leads. MOVES must say exactly this, and transition() must follow MOVES.
 */
const SPEC: Record<State, Partial<Record<Event, { by: Side[]; to: State; reason?: true }>>> = {
  // A broker's proposal (or an allocation row): either side takes it up from its end, or turns it down.
  proposed: {
    request: { by: ['need'], to: 'requested' },
    pledge: { by: ['offer'], to: 'pledged' },
    decline: { by: ['need', 'offer'], to: 'declined', reason: true },
    withdraw: { by: ['broker'], to: 'withdrawn' },
  },
  // The leader asked; the holder answers. The asking side (or the broker) may take it back.
  requested: {
    accept: { by: ['offer'], to: 'accepted' },
    decline: { by: ['offer'], to: 'declined', reason: true },
    withdraw: { by: ['need', 'broker'], to: 'withdrawn' },
  },
  pledged: {
    accept: { by: ['need'], to: 'accepted' },
    decline: { by: ['need'], to: 'declined', reason: true },
    withdraw: { by: ['offer', 'broker'], to: 'withdrawn' },
  },
  accepted: {
    cancel: { by: ['need', 'offer', 'broker'], to: 'cancelled', reason: true },
    deliver: { by: ['need', 'offer', 'broker'], to: 'delivered' },
  },
  // Feedback keeps it 'delivered' until both sides have left theirs.
  delivered: { review: { by: ['need', 'offer'], to: 'delivered' } },
  reviewed: {},
  declined: {},
  withdrawn: {},
  cancelled: {},
}

/** Every set of sides a user can stand on, including none and more than one (a leader of both organizations). */
const SIDE_SETS: Side[][] = [
  [],
  ['need'],
  ['offer'],
  ['broker'],
  ['need', 'offer'],
  ['need', 'broker'],
  ['offer', 'broker'],
  ['need', 'offer', 'broker'],
]
const REVIEWED_SETS: Side[][] = [[], ['need'], ['offer'], ['need', 'offer']]
const REASON_INPUTS: (string | undefined | null)[] = [undefined, null, '', 'changed_my_mind', ...REASONS]

/** What the spec says should happen, independently of the implementation. */
function expected(state: State, event: Event, sides: Side[], reviewed: Side[], reason: string | null | undefined) {
  const move = SPEC[state][event]
  if (!move) return { ok: false as const, key: 'match.error.not_allowed' }
  if (!move.by.some((s) => sides.includes(s))) return { ok: false as const, key: 'match.error.not_your_turn' }
  if (move.reason && !(REASONS as readonly string[]).includes(reason ?? ''))
    return { ok: false as const, key: 'match.error.reason_required' }
  if (event === 'review') {
    const mine = sides.filter((s) => (s === 'need' || s === 'offer') && !reviewed.includes(s))
    if (mine.length === 0) return { ok: false as const, key: 'match.error.already_reviewed' }
    const after = new Set([...reviewed, mine[0]])
    return {
      ok: true as const,
      to: (after.has('need') && after.has('offer') ? 'reviewed' : 'delivered') as State,
      reserves: false,
      releases: false,
    }
  }
  return { ok: true as const, to: move.to, reserves: move.to === 'accepted', releases: move.to === 'cancelled' }
}

describe('the table of moves', () => {
  it('says exactly what the issue describes: every (state, event) pair, who may fire it, where it leads', () => {
    const fromTable = MOVES.map(
      (m) => `${m.from} --${m.event}[${[...m.by].sort().join(',')}]${m.reason ? '+reason' : ''}--> ${m.to}`,
    ).sort()
    const fromSpec = Object.entries(SPEC)
      .flatMap(([from, events]) =>
        Object.entries(events).map(
          ([event, m]) => `${from} --${event}[${[...m!.by].sort().join(',')}]${m!.reason ? '+reason' : ''}--> ${m!.to}`,
        ),
      )
      .sort()
    expect(fromTable).toEqual(fromSpec)
  })

  it('has at most one move per (state, event), so the outcome never depends on the order of the table', () => {
    const keys = MOVES.map((m) => `${m.from}:${m.event}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('leaves the terminal states, and only those, without any way out', () => {
    const withExit = new Set(MOVES.map((m) => m.from))
    expect(STATES.filter((s) => !withExit.has(s)).sort()).toEqual(['cancelled', 'declined', 'reviewed', 'withdrawn'])
  })

  it('shows contacts from acceptance on, and counts the four pre-delivery states as active', () => {
    expect([...CONTACT_STATES].sort()).toEqual(['accepted', 'delivered', 'reviewed'])
    expect([...ACTIVE_STATES].sort()).toEqual(['accepted', 'pledged', 'proposed', 'requested'])
  })

  it('uses closing reason codes, never free text', () => {
    expect([...REASONS].sort()).toEqual([
      'declined',
      'duplicate',
      'met_elsewhere',
      'no_longer_needed',
      'not_relevant',
      'out_of_scope',
      'unresponsive',
    ])
  })
})

describe('transition()', () => {
  it('agrees with the spec for every state × event × set of sides × reviewed sides × reason', () => {
    let checked = 0
    const disagreements: string[] = []
    for (const state of STATES)
      for (const event of EVENTS)
        for (const sides of SIDE_SETS)
          for (const reviewed of REVIEWED_SETS)
            for (const reason of REASON_INPUTS) {
              // Feedback only exists after delivery; elsewhere the reviewed list is always empty.
              if (reviewed.length && state !== 'delivered') continue
              const got = transition({ state, reviewed: [...reviewed] }, event, { sides }, reason)
              const want = expected(state, event, sides, reviewed, reason)
              const same =
                got.ok === want.ok &&
                (got.ok
                  ? JSON.stringify({ to: got.to, reserves: got.reserves, releases: got.releases }) ===
                    JSON.stringify({
                      to: (want as any).to,
                      reserves: (want as any).reserves,
                      releases: (want as any).releases,
                    })
                  : got.key === (want as any).key)
              if (!same)
                disagreements.push(
                  `${state} ${event} by [${sides}] reviewed [${reviewed}] reason ${reason}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
                )
              checked++
            }
    expect(disagreements).toEqual([])
    expect(checked).toBeGreaterThan(9 * 8 * 8 * REASON_INPUTS.length)
  })

  it('refuses a move not in the table with a message that names the event and the state', () => {
    const r = transition({ state: 'declined', reviewed: [] }, 'accept', { sides: ['offer'] })
    expect(r).toEqual({ ok: false, key: 'match.error.not_allowed', params: { event: 'accept', state: 'declined' } })
    const turn = transition({ state: 'requested', reviewed: [] }, 'accept', { sides: ['need'] })
    expect(turn).toEqual({
      ok: false,
      key: 'match.error.not_your_turn',
      params: { event: 'accept', state: 'requested' },
    })
  })

  it('needs a reason code to decline or cancel, and accepts every code', () => {
    for (const [state, event, side] of [
      ['requested', 'decline', 'offer'],
      ['pledged', 'decline', 'need'],
      ['proposed', 'decline', 'need'],
      ['accepted', 'cancel', 'broker'],
    ] as const) {
      expect(transition({ state, reviewed: [] }, event, { sides: [side] })).toEqual({
        ok: false,
        key: 'match.error.reason_required',
      })
      expect(transition({ state, reviewed: [] }, event, { sides: [side] }, 'because I said so')).toEqual({
        ok: false,
        key: 'match.error.reason_required',
      })
      for (const code of REASONS)
        expect(transition({ state, reviewed: [] }, event, { sides: [side] }, code).ok).toBe(true)
    }
  })

  it('reserves on acceptance only, and releases on cancellation only', () => {
    for (const state of STATES)
      for (const event of EVENTS)
        for (const sides of SIDE_SETS) {
          const r = transition({ state, reviewed: [] }, event, { sides }, 'duplicate')
          if (!r.ok) continue
          expect(r.reserves).toBe(event === 'accept')
          expect(r.releases).toBe(event === 'cancel')
        }
  })

  it('reaches "reviewed" only when both sides have left feedback, and never twice from one side', () => {
    const first = transition({ state: 'delivered', reviewed: [] }, 'review', { sides: ['need'] })
    expect(first).toMatchObject({ ok: true, to: 'delivered' })
    expect(transition({ state: 'delivered', reviewed: ['need'] }, 'review', { sides: ['need'] })).toEqual({
      ok: false,
      key: 'match.error.already_reviewed',
    })
    expect(transition({ state: 'delivered', reviewed: ['need'] }, 'review', { sides: ['offer'] })).toMatchObject({
      ok: true,
      to: 'reviewed',
    })
    expect(transition({ state: 'delivered', reviewed: ['offer'] }, 'review', { sides: ['need'] })).toMatchObject({
      ok: true,
      to: 'reviewed',
    })
    // The broker confirms delivery but does not rate.
    expect(transition({ state: 'delivered', reviewed: [] }, 'review', { sides: ['broker'] })).toMatchObject({
      ok: false,
      key: 'match.error.not_your_turn',
    })
    // A leader of both organizations gives one side's feedback, then the other's.
    expect(
      transition({ state: 'delivered', reviewed: ['need'] }, 'review', { sides: ['need', 'offer'] }),
    ).toMatchObject({ ok: true, to: 'reviewed' })
    expect(transition({ state: 'reviewed', reviewed: ['need', 'offer'] }, 'review', { sides: ['need'] })).toMatchObject(
      { ok: false, key: 'match.error.not_allowed' },
    )
  })

  it('is pure: the same input gives the same answer and the match passed in is not changed', () => {
    const match = { state: 'delivered' as State, reviewed: ['need'] as Side[] }
    const a = transition(match, 'review', { sides: ['offer'] })
    const b = transition(match, 'review', { sides: ['offer'] })
    expect(a).toEqual(b)
    expect(match).toEqual({ state: 'delivered', reviewed: ['need'] })
  })
})

describe('available()', () => {
  it('lists exactly the events transition() would allow (given a reason code where one is needed), in EVENTS order', () => {
    const wrong: string[] = []
    for (const state of STATES)
      for (const sides of SIDE_SETS)
        for (const reviewed of REVIEWED_SETS) {
          if (reviewed.length && state !== 'delivered') continue
          const match = { state, reviewed: [...reviewed] }
          const allowed = EVENTS.filter((e) => transition(match, e, { sides }, 'no_longer_needed').ok)
          const offered = available(match, { sides })
          if (JSON.stringify(offered) !== JSON.stringify(allowed))
            wrong.push(`${state} [${sides}] reviewed [${reviewed}]: offers ${offered}, allows ${allowed}`)
        }
    expect(wrong).toEqual([])
  })

  it('offers each side its own next step', () => {
    expect(available({ state: 'requested', reviewed: [] }, { sides: ['offer'] })).toEqual(['accept', 'decline'])
    expect(available({ state: 'requested', reviewed: [] }, { sides: ['need'] })).toEqual(['withdraw'])
    expect(available({ state: 'pledged', reviewed: [] }, { sides: ['need'] })).toEqual(['accept', 'decline'])
    expect(available({ state: 'proposed', reviewed: [] }, { sides: ['broker'] })).toEqual(['withdraw'])
    expect(available({ state: 'proposed', reviewed: [] }, { sides: ['need'] })).toEqual(['request', 'decline'])
    expect(available({ state: 'accepted', reviewed: [] }, { sides: ['broker'] })).toEqual(['cancel', 'deliver'])
    expect(available({ state: 'delivered', reviewed: ['need'] }, { sides: ['need'] })).toEqual([])
    expect(available({ state: 'delivered', reviewed: ['need'] }, { sides: ['offer'] })).toEqual(['review'])
    expect(available({ state: 'accepted', reviewed: [] }, { sides: [] })).toEqual([])
    for (const s of ['reviewed', 'declined', 'withdrawn', 'cancelled'] as const)
      for (const sides of SIDE_SETS) expect(available({ state: s, reviewed: [] }, { sides })).toEqual([])
  })
})
