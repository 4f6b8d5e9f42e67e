import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import type { Reason } from '../matching/types.js'
import * as record from './match-record.js'
import * as checkins from './checkins.js'
import { REASONS } from './lifecycle.js'
import { presenter } from '../matching/present.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

/** The match if the viewer may see it (NotFound otherwise), its fit in words, its contacts and its record. */
export function loadMatch(db: Db, viewer: CurrentUser, id: number, locale: Locale) {
  const match = record.findVisible(db, viewer, id)
  if (!match) throw new NotFound()
  const say = presenter(db, locale)
  return {
    match,
    reasons: say.fit((match.reasons ?? []) as Reason[], match.score ?? 0),
    contacts: record.contacts(db, match),
    checkin: checkins.panel(db, match),
    history: record.history(db, id),
    reviews: record.reviews(db, id),
    thread: record.thread(db, id),
  }
}

/**
 * The match page: both sides and the broker see the same page; contacts only once accepted (loadMatch). Only the
 * need's side may ask for the arrangement again, and only once it was delivered. `idem` is the key the page's forms
 * send so that a form sent twice acts once.
 */
export function matchPageView(
  data: ReturnType<typeof loadMatch>,
  t: Translate,
  idem: string,
  errors: FieldErrors = {},
) {
  const { match } = data
  return {
    ...data,
    // An empty object would still count as "there are errors" in the template: pass them only when there are some.
    errors: Object.keys(errors).length ? errors : undefined,
    canRepeat: (match.state === 'delivered' || match.state === 'reviewed') && match.sides.includes('need'),
    reasonCodes: REASONS,
    idem,
    title: t('match.title', { id: match.id }),
  }
}

/** A refused request, pledge or proposal, said in one sentence on the error card, with the way back. */
export function refusedOpening(errors: FieldErrors, t: Translate, back: string) {
  return {
    message: Object.values(errors)
      .map((p) => t(p.key, p.params))
      .join(' '),
    back,
  }
}

/** After "yes, again": on to the new request, or to the new need alone when the offer could not take it. */
export function repeatedAnswer(next: { needId: number; match?: { id: number } }) {
  return next.match
    ? { flash: 'match.repeated', to: `/matches/${next.match.id}` }
    : { flash: 'match.repeated_need_only', to: `/needs/${next.needId}` }
}

/** After a follow-up's answer: where a repetition leads, else back to the follow-up, a partnership said if begun. */
export function checkinAnswer(
  matchId: number,
  done: { repeated?: { needId: number; match?: { id: number } }; partnership?: unknown },
) {
  if (done.repeated) return repeatedAnswer(done.repeated)
  return {
    flash: done.partnership ? 'checkin.recorded_partnership' : 'checkin.recorded',
    to: `/matches/${matchId}#checkin`,
  }
}
