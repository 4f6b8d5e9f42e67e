import { writeTx, type Db } from '../db/client.js'
import { messages } from '../db/schema.js'
import { NotFound, NotPermitted } from '../shared/errors.js'
import { notify } from '../notifications/notifications.js'
import { matchWords } from '../notifications/words.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { audience, findVisible } from './match-record.js'

// The conversation on a match: its parties and broker write to each other there, and each is told of a new message.
// The thread is read with the match's record (match-record.ts).

export function say(db: Db, user: CurrentUser, matchId: number, body: string, now = new Date()) {
  const match = findVisible(db, user, matchId)
  if (!match) throw new NotFound()
  if (match.sides.length === 0) throw new NotPermitted({ key: 'members.error.member_cannot_act' })
  writeTx(db, (tx) => {
    tx.insert(messages).values({ matchId, authorId: user.id, body: body.trim(), createdAt: now.toISOString() }).run()
    const who = audience(tx, match.needId, match.offerId)
    notify(
      tx,
      [...who.need, ...who.offer, ...who.broker].filter((id) => id !== user.id),
      { kind: 'match.message', params: { ...matchWords(tx, matchId), author: user.name }, link: `/matches/${matchId}` },
      now,
    )
  })
}
