// The words of notifications, e-mails, the inbox and the outbox (src/notifications/). Every kind has `notice.<kind>`
// (one plain sentence: what happened, what to do) and `notice.<kind>.subject`. Parameters: a match's words
// (notifications/words.ts: id, need, offer, needOrg, offerOrg, quantity, unit → unitName), author, days, state, from;
// for listing.expiring: id (the listing's), kind (need|offer), title, date; for the new-fit alerts (src/alerts/):
// need / needOrg, offer / offerOrg.
export const zhNotices = {
  'notice.match.proposed':
    '社工提议用{offerOrg}的「{offer}」满足{needOrg}的「{need}」（{quantity} {unitName}）。请查看，并决定是否继续。',
  'notice.match.proposed.subject': '社工提议对接：「{need}」与「{offer}」',
  'notice.match.requested':
    '{needOrg}请求用您的「{offer}」满足「{need}」（{quantity} {unitName}），请答复：接受或谢绝。',
  'notice.match.requested.subject': '{needOrg}请求您的「{offer}」',
  'notice.match.pledged': '{offerOrg}愿意为「{need}」提供 {quantity} {unitName}（「{offer}」），请答复：接受或谢绝。',
  'notice.match.pledged.subject': '{offerOrg}愿意为「{need}」提供资源',
  'notice.match.request': '{needOrg}接受了社工的提议，请求用「{offer}」满足「{need}」，正在等待{offerOrg}答复。',
  'notice.match.request.subject': '「{need}」与「{offer}」：已请求，等待{offerOrg}答复',
  'notice.match.pledge': '{offerOrg}接受了社工的提议，愿意用「{offer}」满足「{need}」，正在等待{needOrg}答复。',
  'notice.match.pledge.subject': '「{need}」与「{offer}」：已承诺，等待{needOrg}答复',
  'notice.match.accept':
    '「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接已被接受，{quantity} {unitName}已经预留。双方现在可以看到彼此的联系方式，请商定交付的时间和方式。',
  'notice.match.accept.subject': '对接已接受：「{need}」与「{offer}」',
  'notice.match.decline':
    '「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接被谢绝了。原因写在对接页面上；可以继续寻找其他资源。',
  'notice.match.decline.subject': '对接被谢绝：「{need}」与「{offer}」',
  'notice.match.withdraw': '「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接已被撤回，不需要再答复。',
  'notice.match.withdraw.subject': '对接已撤回：「{need}」与「{offer}」',
  'notice.match.met_elsewhere':
    '「{need}」（{needOrg}）已由其他资源满足，它与「{offer}」（{offerOrg}）的对接已自动撤回，不需要再答复。',
  'notice.match.met_elsewhere.subject': '「{need}」已由其他资源满足',
  'notice.match.cancel':
    '已接受的「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接被取消，预留的 {quantity} {unitName}已经释放。原因写在对接页面上。',
  'notice.match.cancel.subject': '对接已取消：「{need}」与「{offer}」',
  'notice.match.deliver': '「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接已确认交付。请在对接页面留下评价。',
  'notice.match.deliver.subject': '已交付，请留下评价：「{need}」与「{offer}」',
  'notice.match.review': '「{need}」与「{offer}」的对接收到了一条新评价。',
  'notice.match.review.subject': '新评价：「{need}」与「{offer}」',
  'notice.match.message': '{author} 在「{need}」与「{offer}」的对接中留言了。请查看并回复。',
  'notice.match.message.subject': '新留言：「{need}」与「{offer}」',
  'notice.match.reminder':
    '「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接已经 {days} 天没有答复。请尽快查看，接受或谢绝。',
  'notice.match.reminder.subject': '提醒：「{need}」与「{offer}」已 {days} 天未答复',
  'notice.match.followup':
    '「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接交付已经 {days} 天了。合作还在继续吗？如果需要长期合作，可以在对接页面把它安排成定期合作。',
  'notice.match.followup.subject': '回访：「{need}」与「{offer}」交付 {days} 天后',
  'notice.match.handed_over': '{from} 把「{need}」（{needOrg}）与「{offer}」（{offerOrg}）的对接转交给了您。',
  'notice.match.handed_over.subject': '对接已转交给您：「{need}」与「{offer}」',
  'notice.legacy': '对接 #{id} 有新动态，请查看。',
  'notice.legacy.subject': '对接 #{id} 有新动态',
  'notice.listing.expiring': '您发布的「{title}」将于 {date} 到期。还需要吗？请续期，或者关闭它。',
  'notice.listing.expiring.subject': '「{title}」将于 {date} 到期：还需要吗？',
  'notice.footer':
    '——\n这封邮件来自 AssetBridge 社区资源对接平台。可以在“我的账户”中把邮件通知改为每日摘要，或者关闭。',
  'notice.digest.subject': 'AssetBridge 每日摘要：{count} 条新通知',
  'notice.digest.intro': '自上次摘要以来，您有 {count} 条新通知：',
  'notice.digest.more': '……还有 {count} 条，请到“通知”页面查看。',
  'inbox.title': '通知',
  'inbox.lead': '与您的组织、需求、资源和对接有关的消息。邮件提醒方式可以在“我的账户”中设置。',
  'inbox.empty': '还没有通知。',
  'inbox.unread': '未读',
  'inbox.open': '查看',
  'inbox.mark_all_read': '全部标为已读',
  'inbox.marked_read': '所有通知已标为已读。',
  'inbox.renew': '续期',
  'inbox.close': '关闭',
  'inbox.close.reason': '关闭原因',
  'inbox.unread_count': '{count} 条未读',
  'outbox.title': '发件箱',
  'outbox.lead': '平台发出的全部邮件。未配置 SMTP 时，邮件只保存在这里，可供管理员查看。',
  'outbox.smtp_on': 'SMTP 已配置：邮件会自动发送。',
  'outbox.smtp_off': '未配置 SMTP_URL：邮件不会发送，只保存在这里。',
  'outbox.secrets': '密码重置链接在这里是隐藏的：它等于账户的钥匙，只有收件人能在邮件里看到。',
  'outbox.empty': '发件箱是空的。',
  'outbox.to': '收件人',
  'outbox.subject': '主题',
  'outbox.body': '正文',
  'outbox.created': '生成时间',
  'outbox.status': '状态',
  'outbox.sent': '已发送 {at}',
  'outbox.pending': '等待发送',
  'outbox.failed': '发送失败，稍后重试：{error}',
  'notice.fit.offer':
    '有新的资源可能满足您的需求：{offerOrg}的「{offer}」可以用于{needOrg}的「{need}」。在此之前，这项需求没有合适的资源。打开需求页面即可申请。',
  'notice.fit.offer.subject': '「{need}」有了合适的资源：{offerOrg}的「{offer}」',
  'notice.fit.need':
    '有新的需求可能用得上您的资源：{needOrg}的「{need}」适合{offerOrg}的「{offer}」。在此之前，这项资源没有合适的需求。打开资源页面即可承诺。',
  'notice.fit.need.subject': '「{offer}」有了合适的需求：{needOrg}的「{need}」',
}
