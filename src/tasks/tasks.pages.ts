import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as tasks from './tasks.js'
import { brokers } from '../brokering/desk.js'
import { TASK_DROP_REASONS } from '../db/schema.js'
import { categoryNames } from '../listings/listings.js'
import { daysSince, localToday } from '../shared/time.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

/** A task's default title in the reader's language, from what it came from. */
export function titler(t: Translate, categories: Record<string, string>): tasks.Titler {
  return (kind, subject, extra) =>
    t(`tasks.title.${kind}`, {
      subject,
      category: extra.category ? (categories[extra.category] ?? extra.category) : '',
      indicator: extra.indicator ? t(`capacity.ind.${extra.indicator}`) : '',
    })
}

/** Overdue once its due day is past (in local time); its age in whole days, never negative. */
export function decorate<T extends { dueOn: string; createdAt: string }>(task: T, now: Date) {
  return { ...task, overdue: task.dueOn < localToday(now), ageDays: daysSince(task.createdAt, now) }
}

export function loadTasks(db: Db, viewer: CurrentUser) {
  return { open: tasks.listFor(db, viewer), closed: tasks.listFor(db, viewer, { closed: true, limit: 50 }) }
}

export function tasksView(d: ReturnType<typeof loadTasks>, t: Translate, now: Date) {
  return { title: t('tasks.title'), open: d.open.map((task) => decorate(task, now)), closed: d.closed }
}

/** The task if this viewer may see it: NotFound otherwise. */
export function loadTask(db: Db, viewer: CurrentUser | null, taskId: number, locale: Locale) {
  const found = tasks.findVisible(db, viewer, taskId)
  if (!found) throw new NotFound()
  return { ...found, notes: tasks.notes(db, taskId), brokers: brokers(db), categories: categoryNames(db, locale) }
}

/** A task's page: its owner by name, and the other brokers it may be handed to (never back to its owner). */
export function taskView(d: ReturnType<typeof loadTask>, now: Date, errors: FieldErrors = {}) {
  const { task } = d
  return {
    title: task.title,
    task: decorate(task, now),
    canAct: d.canAct,
    notes: d.notes,
    owner: d.brokers.find((b) => b.id === task.ownerId)?.name,
    categoryName: task.category ? d.categories[task.category] : undefined,
    others: d.brokers.filter((b) => b.id !== task.ownerId),
    reasons: TASK_DROP_REASONS,
    errors: Object.keys(errors).length ? errors : undefined,
  }
}
