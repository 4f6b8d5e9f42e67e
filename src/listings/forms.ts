import type { Static } from 'typebox'
import { CLOSE_REASONS, FOCUS_GROUPS, TRUST_LEVELS, URGENCIES } from '../db/schema.js'
import { str, int, oneOf, listOf, date, text, codes, fields, formSchema, id32 } from '../shared/forms.js'
import { MAX_QUANTITY } from './listings.js'
import { DAYS, PERIODS, scheduleFromForm, formFromSchedule } from './schedule-form.js'
import { confirmedFromForm } from '../topics/topics.pages.js'

/** The fields needs and offers share, as the web form sends them. */
export const commonFields = {
  orgId: id32,
  category: str(40, 1),
  title: str(120, 2),
  description: text(4000),
  quantity: int(1, MAX_QUANTITY),
  fromDate: date,
  untilDate: date,
  days: listOf(DAYS, 7),
  periods: listOf(PERIODS, 3),
  expiresAt: date,
  draft: oneOf(['1']),
  version: int(1, 1e9),
  topics: codes(20),
  topicsFor: str(40),
  topicsChosen: oneOf(['1']),
}
export const needFields = {
  ...commonFields,
  areaId: id32,
  place: str(200),
  urgency: oneOf(URGENCIES),
  beneficiaries: int(1, 1_000_000),
}
export const offerFields = {
  ...commonFields,
  servesAreaId: id32,
  minTrust: oneOf(TRUST_LEVELS),
  focus: listOf(FOCUS_GROUPS),
}
export const CloseFields = { reason: oneOf(CLOSE_REASONS) }
export const RenewFields = { expiresAt: date }

/** The need and offer forms, as sent (the edit form carries the version it was drawn from). */
export const NeedForm = formSchema(needFields, ['orgId', 'category', 'title', 'quantity', 'areaId'])
export const OfferForm = formSchema(offerFields, ['orgId', 'category', 'title', 'quantity', 'servesAreaId'])
export type NeedForm = Static<typeof NeedForm>
export type OfferForm = Static<typeof OfferForm>

/** Form → service input: checkboxes become the schedule rule, the chips the topics the poster confirmed. */
export function fromForm<B extends NeedForm | OfferForm>(body: B) {
  const { days, periods, draft, _csrf, topics: _ticked, topicsFor: _for, topicsChosen: _chosen, ...rest } = body
  return {
    ...rest,
    schedule: scheduleFromForm(days, periods),
    draft: draft === '1',
    topics: confirmedFromForm(body),
  }
}

/**
 * An edit form → service input. The checkboxes say only some rules (hours inside their three periods), so
 * when they come back exactly as they were drawn from the stored rule, that rule is kept: saving a new title
 * must not turn an imported 7–9 a.m. rota into 8 a.m.–noon.
 */
export function fromEditForm<B extends NeedForm | OfferForm>(body: B, stored: string | null) {
  const input = { ...fromForm(body), version: body.version ?? 0 }
  const drawn = formFromSchedule(stored)
  const same = (sent: string[] = [], shown: string[]) =>
    sent.length === shown.length && shown.every((x) => sent.includes(x))
  return stored && same(body.days, drawn.days) && same(body.periods, drawn.periods)
    ? { ...input, schedule: stored }
    : input
}

export const NewFormQuery = fields({ orgId: id32 })

export const browseQuery = <const E extends Record<string, object>>(extra: E) =>
  fields({ category: str(40), area: id32, q: str(100), topic: str(60), page: int(1, 100_000), ...extra })
