import { describe, expect, it } from 'vitest'
import { decorate, taskView, titler, type loadTask } from '../../../src/tasks/tasks.pages.js'

const t = (key: string, params?: Record<string, unknown>) => (params ? `${key}${JSON.stringify(params)}` : key)

describe('a task as its pages show it', () => {
  const now = new Date('2026-12-06T10:00:00Z')

  it('is overdue only once its due day is past, and counts its age in whole days, never below zero', () => {
    expect(decorate({ dueOn: '2026-12-05', createdAt: '2026-12-01T12:00:00Z' }, now)).toMatchObject({
      overdue: true,
      ageDays: 4,
    })
    expect(decorate({ dueOn: '2026-12-06', createdAt: '2026-12-06T09:00:00Z' }, now)).toMatchObject({
      overdue: false,
      ageDays: 0,
    })
    expect(decorate({ dueOn: '2027-01-01', createdAt: '2026-12-07T00:00:00Z' }, now).ageDays).toBe(0)
  })

  it('names its owner and offers to hand it only to the other brokers', () => {
    const brokers = [
      { id: 1, name: '王社工' },
      { id: 2, name: '李社工' },
      { id: 3, name: '张社工' },
    ]
    const d = {
      task: {
        id: 9,
        title: '回访',
        ownerId: 2,
        category: 'venue',
        dueOn: '2027-01-01',
        createdAt: '2026-12-01T00:00:00Z',
      },
      canAct: true,
      notes: [],
      brokers,
      categories: { venue: '场地' },
    } as unknown as ReturnType<typeof loadTask>
    const v = taskView(d, now)
    expect(v.owner).toBe('李社工')
    expect(v.others.map((b) => b.id)).toEqual([1, 3])
    expect(v.categoryName).toBe('场地')
    expect(v.errors).toBeUndefined()
    expect(taskView(d, now, { body: { key: 'validation.required' } }).errors).toEqual({
      body: { key: 'validation.required' },
    })
  })

  it("titles a new task in the reader's words, a category by its name and an unknown one by its code", () => {
    const title = titler(t, { venue: '场地' })
    expect(title('recruit_holder', '读书会', { category: 'venue' })).toBe(
      'tasks.title.recruit_holder{"subject":"读书会","category":"场地","indicator":""}',
    )
    expect(title('recruit_holder', 'x', { category: 'boats' })).toContain('"category":"boats"')
    expect(title('train_members', 'x', { indicator: 'records' })).toContain('"indicator":"capacity.ind.records"')
  })
})
