/**
 * The match lifecycle as a pure state machine: a table of allowed moves, and `transition()` that looks a
 * move up. No database, no clock: the service loads the match, asks here, and saves what comes back.
 *
 *   proposed ──request(need)──▶ requested ──accept(offer)──▶ accepted ──deliver──▶ delivered ──review×2──▶ reviewed
 *      │    └──pledge(offer)──▶ pledged ────accept(need)───▶    │
 *      └─ decline / withdraw          decline / withdraw        └─ cancel (with reason)
 */
export const STATES = [
  'proposed',
  'requested',
  'pledged',
  'accepted',
  'delivered',
  'reviewed',
  'declined',
  'withdrawn',
  'cancelled',
] as const
export type State = (typeof STATES)[number]
export const EVENTS = ['request', 'pledge', 'accept', 'decline', 'withdraw', 'cancel', 'deliver', 'review'] as const
export type Event = (typeof EVENTS)[number]
/** Who is acting: a member of the need's organization, of the offer's, or the covering broker. */
export type Side = 'need' | 'offer' | 'broker'
export const REASONS = [
  'no_longer_needed',
  'met_elsewhere',
  'unresponsive',
  'out_of_scope',
  'duplicate',
  'declined',
  'not_relevant',
] as const
export type ReasonCode = (typeof REASONS)[number]

export interface MatchState {
  state: State
  /** Sides that have left feedback after delivery. */
  reviewed: Side[]
}

interface Move {
  from: State
  event: Event
  by: Side[]
  to: State
  /** The move needs a reason code (declining, cancelling). */
  reason?: true
}

/** Every allowed move. Anything not here is refused. */
export const MOVES: readonly Move[] = [
  { from: 'proposed', event: 'request', by: ['need'], to: 'requested' },
  { from: 'proposed', event: 'pledge', by: ['offer'], to: 'pledged' },
  { from: 'proposed', event: 'decline', by: ['need', 'offer'], to: 'declined', reason: true },
  { from: 'proposed', event: 'withdraw', by: ['broker'], to: 'withdrawn' },
  { from: 'requested', event: 'accept', by: ['offer'], to: 'accepted' },
  { from: 'requested', event: 'decline', by: ['offer'], to: 'declined', reason: true },
  { from: 'requested', event: 'withdraw', by: ['need', 'broker'], to: 'withdrawn' },
  { from: 'pledged', event: 'accept', by: ['need'], to: 'accepted' },
  { from: 'pledged', event: 'decline', by: ['need'], to: 'declined', reason: true },
  { from: 'pledged', event: 'withdraw', by: ['offer', 'broker'], to: 'withdrawn' },
  { from: 'accepted', event: 'cancel', by: ['need', 'offer', 'broker'], to: 'cancelled', reason: true },
  { from: 'accepted', event: 'deliver', by: ['need', 'offer', 'broker'], to: 'delivered' },
  { from: 'delivered', event: 'review', by: ['need', 'offer'], to: 'delivered' },
]

export type Outcome =
  /** side: the side the actor moved as (a leader of both, or a broker looking after a side, has several). */
  | { ok: true; to: State; reserves: boolean; releases: boolean; side: Side }
  | { ok: false; key: string; params?: Record<string, string> }

/** Is this move allowed for this actor? Says what the match becomes and what happens to reserved capacity. */
export function transition(match: MatchState, event: Event, actor: { sides: Side[] }, reason?: string | null): Outcome {
  const candidates = MOVES.filter((m) => m.from === match.state && m.event === event)
  if (candidates.length === 0)
    return { ok: false, key: 'match.error.not_allowed', params: { event, state: match.state } }
  const move = candidates.find((m) => m.by.some((side) => actor.sides.includes(side)))
  if (!move) return { ok: false, key: 'match.error.not_your_turn', params: { event, state: match.state } }
  if (move.reason && !(REASONS as readonly string[]).includes(reason ?? ''))
    return { ok: false, key: 'match.error.reason_required' }
  if (event === 'review') {
    // A leader of both organizations gives each side's feedback in turn (the need's first, as fire() does).
    const side = actor.sides.find((s) => (s === 'need' || s === 'offer') && !match.reviewed.includes(s))
    if (!side) return { ok: false, key: 'match.error.already_reviewed' }
    const both = new Set([...match.reviewed, side]).size === 2
    return { ok: true, to: both ? 'reviewed' : 'delivered', reserves: false, releases: false, side }
  }
  return {
    ok: true,
    to: move.to,
    reserves: move.to === 'accepted',
    releases: move.to === 'cancelled',
    side: actor.sides.find((s) => move.by.includes(s))!,
  }
}

/** The events this actor could fire now: what the match page offers as buttons. */
export function available(match: MatchState, actor: { sides: Side[] }): Event[] {
  return EVENTS.filter((e) =>
    MOVES.some((m) => m.from === match.state && m.event === e && m.by.some((s) => actor.sides.includes(s))),
  ).filter(
    (e) => e !== 'review' || actor.sides.some((s) => (s === 'need' || s === 'offer') && !match.reviewed.includes(s)),
  )
}

export const ACTIVE_STATES: readonly State[] = ['proposed', 'requested', 'pledged', 'accepted']
/** States in which contacts are shown to the parties: the match was accepted. */
export const CONTACT_STATES: readonly State[] = ['accepted', 'delivered', 'reviewed']
