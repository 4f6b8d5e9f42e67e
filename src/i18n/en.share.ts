import type { zhShare } from './zh-CN.share.js'

export const enShare: Record<keyof typeof zhShare, string> = {
  'share.title': 'Share to a WeChat group',
  'share.lead': 'Forward the short link or the QR code to a group chat: whoever opens it sees this listing.',
  'share.link': 'Short link',
  'share.qr_alt': 'Scan to open: {title}',
  'share.poster': 'Print a poster',
  'share.poster.scan': 'Scan with WeChat to see the details and help',
  'share.poster.need_lead': '{org} needs',
  'share.poster.offer_lead': '{org} offers',
  'share.poster.print': 'Print',
  'share.poster.back': 'Back to the page',
  'share.closed.need_title': 'This need is no longer shared',
  'share.closed.offer_title': 'This offer is no longer shared',
  'share.closed.lead': 'Its status is "{status}": only open needs and offers are shared by link.',
  'share.closed.see': 'See the page',
  'share.closed.browse_needs': 'See other open needs',
  'share.closed.browse_offers': 'See other available offers',
  'help.need.button': 'I can help',
  'help.offer.button': 'I need this',
  'help.need.title': 'I can help',
  'help.offer.title': 'Request this offer',
  'help.visitor': "Sign in or sign up to answer this need with your organization's resources.",
  'help.visitor.offer': "Sign in or sign up to request this offer for your organization's need.",
  'help.signin': 'Sign in to help',
  'help.signup': 'Create an account',
  'help.no_org':
    'You do not belong to an organization yet. Register your organization (or team) first, then come back.',
  'help.register_org': 'Register an organization',
  'help.need.none_fit':
    "None of your organizations' offers fits this need yet. Post an offer, and you can pledge it here.",
  'help.need.post_offer': 'Post an offer',
  'help.offer.none_fit':
    "This offer fits none of your organizations' needs yet. Post a need, and you can request it here.",
  'help.offer.post_need': 'Post a need',
  'help.need.lead':
    "Choose one of your organization's offers to pledge to this need; once it is accepted, both sides see each other's contacts.",
  'help.offer.lead':
    "Choose one of your organization's needs to request this offer for; once it is accepted, both sides see each other's contacts.",
  'help.pledge': 'Pledge',
  'help.request': 'Request',
  'help.quantity': 'Quantity ({unit})',
}
