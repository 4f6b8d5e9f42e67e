// The words of notifications, e-mails, the inbox and the outbox (src/notifications/). Every kind has `notice.<kind>`
// (one plain sentence: what happened, what to do) and `notice.<kind>.subject`. Parameters: a match's words
// (notifications/words.ts: id, need, offer, needOrg, offerOrg, quantity, unit → unitName), author, days, state, from;
// for listing.expiring: id (the listing's), kind (need|offer), title, date; for the new-fit alerts (src/alerts/):
// need / needOrg, offer / offerOrg.
export const enNotices: Record<keyof typeof import('./zh-CN.notices.js').zhNotices, string> = {
  'notice.match.proposed':
    'A broker proposed {offerOrg}\'s "{offer}" for {needOrg}\'s "{need}" ({quantity} {unitName}). Please look at it and decide whether to go ahead.',
  'notice.match.proposed.subject': 'A broker proposed a match: "{need}" and "{offer}"',
  'notice.match.requested':
    '{needOrg} asks for your "{offer}" for "{need}" ({quantity} {unitName}). Please answer: accept or decline.',
  'notice.match.requested.subject': '{needOrg} asks for your "{offer}"',
  'notice.match.pledged':
    '{offerOrg} offers {quantity} {unitName} ("{offer}") for "{need}". Please answer: accept or decline.',
  'notice.match.pledged.subject': '{offerOrg} offers help with "{need}"',
  'notice.match.request':
    '{needOrg} took up the broker\'s proposal and asks for "{offer}" for "{need}"; it now waits for {offerOrg} to answer.',
  'notice.match.request.subject': '"{need}" and "{offer}": requested, waiting for {offerOrg}',
  'notice.match.pledge':
    '{offerOrg} took up the broker\'s proposal and offers "{offer}" for "{need}"; it now waits for {needOrg} to answer.',
  'notice.match.pledge.subject': '"{need}" and "{offer}": pledged, waiting for {needOrg}',
  'notice.match.accept':
    'The match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) was accepted and {quantity} {unitName} are reserved. Both sides can now see each other\'s contacts: please agree when and how to deliver.',
  'notice.match.accept.subject': 'Match accepted: "{need}" and "{offer}"',
  'notice.match.decline':
    'The match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) was declined. The reason is on the match\'s page; you can look for other options.',
  'notice.match.decline.subject': 'Match declined: "{need}" and "{offer}"',
  'notice.match.withdraw':
    'The match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) was withdrawn. No answer is needed any more.',
  'notice.match.withdraw.subject': 'Match withdrawn: "{need}" and "{offer}"',
  'notice.match.met_elsewhere':
    '"{need}" ({needOrg}) was met by another offer, so its match with "{offer}" ({offerOrg}) was withdrawn. No answer is needed any more.',
  'notice.match.met_elsewhere.subject': '"{need}" was met by another offer',
  'notice.match.cancel':
    'The accepted match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) was cancelled and the reserved {quantity} {unitName} released. The reason is on the match\'s page.',
  'notice.match.cancel.subject': 'Match cancelled: "{need}" and "{offer}"',
  'notice.match.deliver':
    'The match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) was confirmed as delivered. Please leave your feedback on the match\'s page.',
  'notice.match.deliver.subject': 'Delivered, please leave feedback: "{need}" and "{offer}"',
  'notice.match.review': 'The match of "{need}" with "{offer}" received new feedback.',
  'notice.match.review.subject': 'New feedback: "{need}" and "{offer}"',
  'notice.match.message': '{author} wrote in the match of "{need}" with "{offer}". Please read it and reply.',
  'notice.match.message.subject': 'New message: "{need}" and "{offer}"',
  'notice.match.reminder':
    'The match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) has waited {days} days for an answer. Please look at it soon and accept or decline.',
  'notice.match.reminder.subject': 'Reminder: "{need}" and "{offer}" unanswered for {days} days',
  'notice.match.followup':
    'The match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) was delivered {days} days ago. Does the arrangement continue? If it should recur, make it a recurring arrangement from the match\'s page.',
  'notice.match.followup.subject': 'Follow-up: "{need}" and "{offer}", {days} days after delivery',
  'notice.match.handed_over':
    '{from} handed the match of "{need}" ({needOrg}) with "{offer}" ({offerOrg}) over to you.',
  'notice.match.handed_over.subject': 'Match handed over to you: "{need}" and "{offer}"',
  'notice.legacy': 'There is news about match #{id}: please look at it.',
  'notice.legacy.subject': 'News about match #{id}',
  'notice.listing.expiring': 'Your listing "{title}" expires on {date}. Is it still needed? Renew it, or close it.',
  'notice.listing.expiring.subject': '"{title}" expires on {date}: still needed?',
  'notice.footer':
    '--\nThis e-mail comes from AssetBridge, the community resource platform. In "My account" you can switch e-mail to a daily digest, or turn it off.',
  'notice.digest.subject': 'AssetBridge daily digest: {count} new notifications',
  'notice.digest.intro': 'Since the last digest you have {count} new notifications:',
  'notice.digest.more': '…and {count} more: see your inbox.',
  'inbox.title': 'Inbox',
  'inbox.lead':
    'News about your organizations, needs, offers and matches. Choose how you are e-mailed in "My account".',
  'inbox.empty': 'No notifications yet.',
  'inbox.unread': 'Unread',
  'inbox.open': 'Open',
  'inbox.mark_all_read': 'Mark all as read',
  'inbox.marked_read': 'All notifications are marked as read.',
  'inbox.renew': 'Renew',
  'inbox.close': 'Close',
  'inbox.close.reason': 'Reason for closing',
  'inbox.unread_count': '{count} unread',
  'outbox.title': 'Outbox',
  'outbox.lead': 'Every e-mail the platform has written. Without SMTP they are only kept here, for admins to read.',
  'outbox.smtp_on': 'SMTP is configured: messages are sent automatically.',
  'outbox.smtp_off': 'SMTP_URL is not configured: messages are not sent, only kept here.',
  'outbox.secrets':
    'Password-reset links are hidden here: a link is a key to the account, so only its recipient sees it, in the e-mail.',
  'outbox.empty': 'The outbox is empty.',
  'outbox.to': 'To',
  'outbox.subject': 'Subject',
  'outbox.body': 'Body',
  'outbox.created': 'Written',
  'outbox.status': 'Status',
  'outbox.sent': 'Sent {at}',
  'outbox.pending': 'Waiting to be sent',
  'outbox.failed': 'Failed, will retry: {error}',
  'notice.fit.offer':
    'A new offer may serve your need: "{offer}" from {offerOrg} fits "{need}" of {needOrg}. Until now nothing fitted this need. Open the need to request it.',
  'notice.fit.offer.subject': '"{need}" has a fitting offer: "{offer}" from {offerOrg}',
  'notice.fit.need':
    'A new need could use your offer: "{need}" of {needOrg} fits "{offer}" from {offerOrg}. Until now no need fitted this offer. Open the offer to pledge it.',
  'notice.fit.need.subject': '"{offer}" has a fitting need: "{need}" of {needOrg}',
}
