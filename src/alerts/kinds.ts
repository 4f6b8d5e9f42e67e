// The "new fit" notices (src/alerts/alerts.ts); their words are in src/i18n/*.notices.ts.
export const ALERT_KINDS = ['fit.offer', 'fit.need'] as const
