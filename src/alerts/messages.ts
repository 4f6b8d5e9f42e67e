import { addMessages, type Catalogue, type Locale } from '../i18n/i18n.js'

/**
 * The words of the "new fit" notices, registered with the app's i18n when this module loads (as
 * notifications/messages.ts does for the match notices), so a job has its texts wherever it runs.
 * Parameters: need / needOrg (the need's title and its organization's name), offer / offerOrg.
 */
export const ALERT_KINDS = ['fit.offer', 'fit.need'] as const

const zhCN: Catalogue = {
  'notice.fit.offer': '有新的资源可能满足您的需求：{offerOrg}的「{offer}」可以用于{needOrg}的「{need}」。在此之前，这项需求没有合适的资源。打开需求页面即可申请。',
  'notice.fit.offer.subject': '「{need}」有了合适的资源：{offerOrg}的「{offer}」',
  'notice.fit.need': '有新的需求可能用得上您的资源：{needOrg}的「{need}」适合{offerOrg}的「{offer}」。在此之前，这项资源没有合适的需求。打开资源页面即可承诺。',
  'notice.fit.need.subject': '「{offer}」有了合适的需求：{needOrg}的「{need}」',
}

const en: Catalogue = {
  'notice.fit.offer': 'A new offer may serve your need: "{offer}" from {offerOrg} fits "{need}" of {needOrg}. Until now nothing fitted this need. Open the need to request it.',
  'notice.fit.offer.subject': '"{need}" has a fitting offer: "{offer}" from {offerOrg}',
  'notice.fit.need': 'A new need could use your offer: "{need}" of {needOrg} fits "{offer}" from {offerOrg}. Until now no need fitted this offer. Open the offer to pledge it.',
  'notice.fit.need.subject': '"{offer}" has a fitting need: "{need}" of {needOrg}',
}

export const ALERT_MESSAGES: Record<Locale, Catalogue> = { 'zh-CN': zhCN, en }

addMessages(ALERT_MESSAGES)
