import { describe, expect, it } from 'vitest'
import { preparedOn, type Db } from '../../../src/db/client.js'

describe('preparedOn', () => {
  it('builds a query once per database handle, and one of its own for each other handle', () => {
    const built: object[] = []
    const query = preparedOn((db) => {
      built.push(db)
      return { on: db }
    })
    const a = {} as Db
    const b = {} as Db
    const first = query(a)
    expect(query(a)).toBe(first)
    expect(query(b).on).toBe(b)
    expect(query(b)).toBe(query(b))
    expect(built).toEqual([a, b])
  })
})
