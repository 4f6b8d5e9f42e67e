import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Translate } from '../i18n/i18n.js'
import * as notice from './notice.js'
import * as delivery from './delivery.js'
import { yuan } from './money.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

type Viewer = CurrentUser | null

/** The notice with, for each award, whether this viewer may follow it to its delivery page. */
export function loadNotice(db: Db, viewer: Viewer, callId: number) {
  const v = notice.view(db, viewer, callId)
  if (!v) throw new NotFound()
  return { v, opens: new Set(v.awards.filter((a) => delivery.findVisible(db, viewer, a.id)).map((a) => a.id)) }
}

/**
 * The notice page: the objection form only while objections are taken; an award links to its delivery for those
 * who run the call and the awarded group's people.
 */
export function noticeView(
  d: ReturnType<typeof loadNotice>,
  t: Translate,
  errors: FieldErrors = {},
  form: Record<string, unknown> = {},
) {
  const { v } = d
  const c = v.call
  const awards = v.awards.map((a) => ({
    ...a,
    amount: yuan(a.amountFen),
    scoreText: a.score.toFixed(2),
    opens: d.opens.has(a.id),
  }))
  return {
    title: t('fundwork.notice.title', { call: c.title }),
    v,
    form: v.period === 'open' ? { ...form } : undefined,
    errors: Object.keys(errors).length ? errors : undefined,
    money: {
      total: yuan(v.totalFen),
      budget: yuan(c.budgetFen),
      cap: yuan(c.capFen),
      min: c.minAwardFen === null ? null : yuan(c.minAwardFen),
      reserve: yuan(c.reserveFen),
      left: yuan(c.budgetFen - v.totalFen),
    },
    awards,
    opens: awards.some((a) => a.opens),
    defaultDays: notice.DEFAULT_DAYS,
    maxDays: notice.MAX_DAYS,
  }
}
