import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as desk from './desk.js'
import * as tasks from '../tasks/tasks.js'
import * as delivery from '../funds/delivery.js'
import { daysSince, localToday } from '../shared/time.js'

/** An admin's desk is every broker's load; a broker's, their queues, tasks, colleagues and late awards. */
export function loadDesk(db: Db, viewer: CurrentUser) {
  if (viewer.role === 'admin') return { admin: true as const, loads: desk.loads(db) }
  return {
    admin: false as const,
    viewerId: viewer.id,
    queues: desk.queues(db, viewer),
    tasks: tasks.listFor(db, viewer),
    brokers: desk.brokers(db),
    lateAwards: delivery.lateFor(db, viewer),
  }
}

/**
 * What brokering/desk shows. A broker sees only the tasks they own (overdue once the due day is past, their age in
 * whole days, never negative) and may hand a match over to any broker but themselves.
 */
export function deskView(data: ReturnType<typeof loadDesk>, now: Date) {
  if (data.admin) return { loads: data.loads, admin: true }
  const today = localToday(now)
  return {
    queues: data.queues,
    tasks: data.tasks
      .filter((t) => t.ownerId === data.viewerId)
      .map((t) => ({
        ...t,
        overdue: t.dueOn < today,
        age: daysSince(t.createdAt, now),
      })),
    brokers: data.brokers.filter((b) => b.id !== data.viewerId),
    lateAwards: data.lateAwards,
  }
}
