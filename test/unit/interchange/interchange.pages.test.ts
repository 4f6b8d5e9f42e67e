import { describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db/client.js'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import { importUploadedLedger, ledgerPageView } from '../../../src/interchange/interchange.pages.js'
import { SECTIONS, type ImportCounts } from '../../../src/interchange/interchange.js'

// An upload refused for its own sake must be refused before anything is read or written: a touched store fails.
const untouchable = new Proxy({} as Db, {
  get: () => {
    throw new Error('the store was touched')
  },
})
const user = { id: 1, role: 'broker' } as unknown as CurrentUser

describe('the ledger page', () => {
  it('shows the form alone before any import', () => {
    expect(ledgerPageView()).toEqual({ status: 200, view: { form: true, sections: SECTIONS } })
  })

  it('refuses an upload of too many files before touching the store, and locates each problem', () => {
    const tooMany = importUploadedLedger(untouchable, user, { files: [], tooMany: true })
    expect(tooMany).toMatchObject({ ok: false, problems: [{ message: { key: 'ledger.too_many_files' } }] })
    const { status, view } = ledgerPageView({
      ok: false,
      problems: [{ section: 'needs', ref: 'n-7', field: 'unit', message: { key: 'x' } }],
    })
    expect(status).toBe(422)
    expect(view).toMatchObject({ form: true, problems: [{ where: 'needs[n-7].unit' }] })
    expect(view).not.toHaveProperty('counts')
  })

  it('refuses an upload with no file before touching the store (an empty part is no file), asking for one', () => {
    for (const files of [[], [{ filename: '', data: Buffer.alloc(0), truncated: false }]]) {
      expect(importUploadedLedger(untouchable, user, { files })).toEqual({
        ok: false,
        problems: [{ section: null, ref: '', field: null, message: { key: 'ledger.no_files', params: { name: '' } } }],
      })
    }
  })

  it('counts an import section by section, in the ledger’s order, with the total changed', () => {
    const counts = Object.fromEntries(
      SECTIONS.map((s, i) => [s, { created: i, updated: 1, unchanged: 2 }]),
    ) as unknown as ImportCounts
    const { status, view } = ledgerPageView({ ok: true, counts })
    expect(status).toBe(200)
    const shown = (view as { counts: { section: string; created: number }[] }).counts
    expect(shown.map((c) => c.section)).toEqual([...SECTIONS])
    expect(shown[1]).toMatchObject({ created: 1, updated: 1 })
    expect(view).toHaveProperty(
      'changed',
      SECTIONS.reduce((n, _s, i) => n + i + 1, 0),
    )
    expect(view).not.toHaveProperty('problems')
  })
})
