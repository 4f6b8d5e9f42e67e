import { describe, expect, it } from 'vitest'
import { createInput, inApiFields } from '../../../src/tasks/tasks.api.js'
import { NotPermitted, ValidationError } from '../../../src/shared/errors.js'

describe('the tasks API: its names for fields, both ways', () => {
  it('reads the JSON names of references into the service’s input', () => {
    expect(
      createInput({
        kind: 'recruit_holder',
        need: 3,
        offer: 4,
        org: 5,
        area: 6,
        owner: 7,
        due_on: '2026-12-31',
        note: 'n',
      }),
    ).toMatchObject({
      kind: 'recruit_holder',
      needId: 3,
      offerId: 4,
      orgId: 5,
      areaId: 6,
      ownerId: 7,
      dueOn: '2026-12-31',
    })
  })

  it('names a refused field as the API names it, and leaves shared names and other errors alone', () => {
    const refuse = (fields: Record<string, { key: string }>) => () => {
      throw new ValidationError(fields)
    }
    let caught: unknown
    try {
      inApiFields(refuse({ ownerId: { key: 'a' }, dueOn: { key: 'b' }, title: { key: 'c' } }))
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ValidationError)
    expect((caught as ValidationError).fields).toEqual({
      owner: { key: 'a' },
      due_on: { key: 'b' },
      title: { key: 'c' },
    })
    expect(() =>
      inApiFields(() => {
        throw new NotPermitted({ key: 'tasks.not_permitted' })
      }),
    ).toThrow(NotPermitted)
    expect(inApiFields(() => 42)).toBe(42)
  })
})
