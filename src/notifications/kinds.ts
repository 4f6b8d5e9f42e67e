// The kinds of notice the match service and the jobs send; each has its words in src/i18n/*.notices.ts
// (`notice.<kind>` and `notice.<kind>.subject`).
export const NOTICE_KINDS = [
  'match.proposed',
  'match.requested',
  'match.pledged',
  'match.request',
  'match.pledge',
  'match.accept',
  'match.decline',
  'match.withdraw',
  'match.cancel',
  'match.deliver',
  'match.review',
  'match.message',
  'match.reminder',
  'match.followup',
  'match.met_elsewhere',
  'match.handed_over',
  'listing.expiring',
] as const
export type NoticeKind = (typeof NOTICE_KINDS)[number]
