/**
 * The plan an application states — budget lines from the call's template, milestones with tranche shares, other
 * assets it will use — and the limits it is checked against. A draft may leave parts empty; submitting asks for the
 * activity and money asked. The forms, the API and the service all read their limits here.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { offers } from '../db/schema.js'
import type { FieldErrors } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as calls from './calls.js'
import * as callRules from './call-rules.js'
import { MAX_FEN, yuan } from './money.js'

export const TITLE_MAX = 120
export const ACTIVITY_MAX = 4000
export const BENEFICIARIES_MAX = 500
export const LINES_MAX = 30
export const MILESTONES_MAX = 12
export const OFFERS_MAX = 10
export const RESIDENTS_MAX = 1_000_000

export interface Line {
  item: string
  askedFen: number
  ownFen: number
}
export interface Milestone {
  title: string
  dueOn: string
  sharePct: number
}
export interface ApplicationInput {
  orgId: number
  title: string
  activity?: string
  beneficiaries?: string
  residentsPlanned?: number | null
  lines: Line[]
  offerIds?: number[]
  milestones?: Milestone[]
}

export function problemsWith(db: Db, call: calls.Call, input: ApplicationInput, submitting: boolean): FieldErrors {
  const p: FieldErrors = {}
  const title = input.title?.trim() ?? ''
  if (title.length < 2) p.title = { key: 'validation.required' }
  else if (title.length > TITLE_MAX) p.title = { key: 'validation.too_long', params: { limit: TITLE_MAX } }
  if ((input.activity ?? '').length > ACTIVITY_MAX)
    p.activity = { key: 'validation.too_long', params: { limit: ACTIVITY_MAX } }
  else if (submitting && !(input.activity ?? '').trim()) p.activity = { key: 'validation.required' }
  if ((input.beneficiaries ?? '').length > BENEFICIARIES_MAX)
    p.beneficiaries = { key: 'validation.too_long', params: { limit: BENEFICIARIES_MAX } }
  const residents = input.residentsPlanned
  if (
    residents !== undefined &&
    residents !== null &&
    (!Number.isInteger(residents) || residents < 0 || residents > RESIDENTS_MAX)
  )
    p.residentsPlanned = { key: 'validation.too_large', params: { limit: RESIDENTS_MAX } }
  const lines = input.lines
  if (lines.length > LINES_MAX) p.lines = { key: 'validation.too_large', params: { limit: LINES_MAX } }
  else if (lines.some((l) => !l.item?.trim() || l.item.trim().length > callRules.ITEM_MAX))
    p.lines = { key: 'funds.validation.line_item', params: { limit: callRules.ITEM_MAX } }
  else if (
    lines.some(
      (l) =>
        !Number.isSafeInteger(l.askedFen) ||
        !Number.isSafeInteger(l.ownFen) ||
        l.askedFen < 0 ||
        l.ownFen < 0 ||
        l.askedFen > MAX_FEN ||
        l.ownFen > MAX_FEN,
    )
  )
    p.lines = { key: 'funds.validation.money' }
  else {
    const asked = lines.reduce((s, l) => s + l.askedFen, 0)
    if (asked > call.capFen)
      p.lines = { key: 'funds.validation.over_cap', params: { asked: yuan(asked), cap: yuan(call.capFen) } }
    else if (submitting && asked === 0) p.lines = { key: 'funds.validation.nothing_asked' }
  }
  const ms = input.milestones ?? []
  if (ms.length > MILESTONES_MAX) p.milestones = { key: 'validation.too_large', params: { limit: MILESTONES_MAX } }
  else if (ms.some((m) => !m.title?.trim() || m.title.trim().length > TITLE_MAX))
    p.milestones = { key: 'funds.validation.milestone_title' }
  else if (ms.some((m) => !isCalendarDate(m.dueOn))) p.milestones = { key: 'validation.date' }
  else if (ms.some((m) => !Number.isInteger(m.sharePct) || m.sharePct < 0 || m.sharePct > 100))
    p.milestones = { key: 'funds.validation.shares' }
  else if (ms.length && ms.reduce((s, m) => s + m.sharePct, 0) !== 100)
    p.milestones = { key: 'funds.validation.shares_sum', params: { sum: ms.reduce((s, m) => s + m.sharePct, 0) } }
  const ids = [...new Set(input.offerIds ?? [])]
  if (ids.length > OFFERS_MAX) p.offerIds = { key: 'validation.too_large', params: { limit: OFFERS_MAX } }
  else if (
    ids.length &&
    db
      .select({ id: offers.id })
      .from(offers)
      .where(and(inArray(offers.id, ids), eq(offers.status, 'open')))
      .all().length !== ids.length
  )
    p.offerIds = { key: 'funds.validation.offer_gone' }
  return p
}
