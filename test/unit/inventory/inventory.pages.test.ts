import { describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db/client.js'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import { importPageView, importUpload, SHOWN_PROBLEMS } from '../../../src/inventory/inventory.pages.js'

const t = (key: string) => `[${key}]`
const problems = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ line: i + 2, field: 'name', problem: { key: 'validation.required' } }))

// A refused file must be refused before any row is read or written: a store that is touched fails the test.
const untouchable = new Proxy({} as Db, {
  get: () => {
    throw new Error('the store was touched')
  },
})
const user = { id: 1, role: 'broker' } as unknown as CurrentUser
const csv = (text: string, truncated = false) => ({ filename: 'x.csv', data: Buffer.from(text), truncated })
const firstKey = (r: ReturnType<typeof importUpload>) => r.problems[0]?.problem

describe('importPageView: a refused import names its problems', () => {
  it('lists the first problems with their lines and counts the rest', () => {
    const view = importPageView(t, problems(SHOWN_PROBLEMS + 7))
    expect(view.problems).toHaveLength(SHOWN_PROBLEMS)
    expect(view.problems[0]).toMatchObject({ line: 2 })
    expect(view.more).toBe(7)
    expect(view.title).toBe('[inventory.import.title]')
  })

  it('says nothing of more when every problem is listed', () => {
    expect(importPageView(t, problems(SHOWN_PROBLEMS)).more).toBe(0)
    expect(importPageView(t, problems(1))).toMatchObject({ problems: [{ line: 2 }], more: 0 })
  })
})

describe('importUpload: a file that cannot be read is refused whole, before anything is written', () => {
  it('asks for a file when none was chosen (an empty file part is no file)', () => {
    expect(firstKey(importUpload(untouchable, user, []))).toEqual({ key: 'inventory.import.no_file' })
    expect(
      firstKey(importUpload(untouchable, user, [{ filename: '', data: Buffer.alloc(0), truncated: false }])),
    ).toEqual({ key: 'inventory.import.no_file' })
  })

  it('refuses a file cut short at the size limit', () => {
    expect(firstKey(importUpload(untouchable, user, [csv('name,kind,area\n', true)]))).toEqual({
      key: 'inventory.import.too_big',
    })
  })

  it('names the line of a quote never closed', () => {
    const r = importUpload(untouchable, user, [csv('name,kind,area\n"王阿姨,person,1\n')])
    expect(r).toMatchObject({ created: 0, problems: [{ line: 1, field: 'file' }] })
    expect(firstKey(r)).toEqual({ key: 'ledger.csv_quote', params: { line: 2 } })
  })
})
