import { describe, expect, it } from 'vitest'
import type { Db } from '../../../src/db/client.js'
import type { CurrentUser } from '../../../src/accounts/accounts.js'
import type * as inventory from '../../../src/inventory/inventory.js'
import {
  giveAnswer,
  importPageView,
  importUpload,
  inventoryCsv,
  inventoryView,
  invitationUrl,
  invitationView,
  NEW_VALUES,
  prospectFormView,
  SHOWN_PROBLEMS,
  storedValues,
  type Choices,
} from '../../../src/inventory/inventory.pages.js'

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

type Row = ReturnType<typeof inventory.list>[number]
const row = (over: Partial<Row>): Row =>
  ({
    id: 1,
    areaId: 3,
    name: '王阿姨',
    kind: 'person',
    has: '会剪纸',
    category: 'craft',
    place: '',
    contact: '',
    lastContactedOn: null,
    outcome: 'not_contacted',
    notes: '',
    version: 1,
    areaName: '桃园社区',
    areaNameEn: 'Taoyuan',
    areaRef: 'ty',
    ...over,
  }) as Row
const choices = {
  areaOptions: [{ id: 3, level: 'community', label: '桃园社区' }],
  categoryNames: { craft: '手工', venue: '场地' },
} as unknown as Choices

describe('inventoryView: the list of prospects', () => {
  it('names each area in the reader’s language and each category by its name, none for a prospect without one', () => {
    const data = { ...choices, filter: {}, rows: [row({}), row({ id: 2, category: null, areaNameEn: null })] }
    const view = inventoryView(data, t, 'en')
    expect(view.rows.map((r) => [r.areaLabel, r.categoryName])).toEqual([
      ['Taoyuan', '手工'],
      ['桃园社区', ''],
    ])
    expect(view.categories).toEqual([
      { code: 'craft', name: '手工' },
      { code: 'venue', name: '场地' },
    ])
  })

  it('keeps only the filters set in the download link, so the spreadsheet holds the rows shown', () => {
    expect(inventoryView({ ...choices, filter: { category: 'craft', area: 3 }, rows: [] }, t, 'zh-CN').query).toBe(
      'category=craft&area=3',
    )
    expect(inventoryView({ ...choices, filter: { area: undefined }, rows: [] }, t, 'zh-CN').query).toBe('')
  })
})

describe('inventoryCsv: the list as a spreadsheet', () => {
  it('starts with a BOM and the headings, and keeps a cell from running as a formula', () => {
    const csv = inventoryCsv([row({ name: '=HYPERLINK("x")' })])
    expect(csv.startsWith('\uFEFFname,kind,area,')).toBe(true)
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`)
    expect(csv.endsWith('\r\n')).toBe(true)
  })
})

describe('prospectFormView and storedValues: the prospect form', () => {
  it('is the new form without an id and the edit form with one, with problems only when there are some', () => {
    const blank = prospectFormView(choices, NEW_VALUES, {}, t, '2026-12-06')
    expect(blank).toMatchObject({
      title: '[inventory.new.title]',
      values: { kind: 'person', outcome: 'not_contacted' },
    })
    expect(blank.errors).toBeUndefined()
    const refused = prospectFormView(
      choices,
      { id: 4, name: '' },
      { name: { key: 'validation.required' } },
      t,
      '2026-12-06',
    )
    expect(refused).toMatchObject({ title: '[inventory.edit.title]', values: { name: '' }, today: '2026-12-06' })
    expect(refused.errors).toEqual({ name: { key: 'validation.required' } })
  })

  it('offers an invitation until the prospect became a holder, with the open tasks it may close', () => {
    const tasks = [{ id: 9, title: '邀请王阿姨' }]
    const p = row({}) as unknown as inventory.Prospect
    expect(storedValues(p, tasks)).toMatchObject({ invite: true, tasks, category: 'craft', lastContactedOn: '' })
    expect(storedValues({ ...p, outcome: 'became_holder', category: null }, [])).toMatchObject({
      invite: false,
      category: '',
    })
  })
})

describe('an invitation to give', () => {
  it('puts its link on the site’s address and its code inside the page, not at an address of its own', () => {
    const url = invitationUrl('https://ab.example/', 'tok')
    expect(url).toBe('https://ab.example/give?token=tok')
    const view = invitationView(t, row({}) as unknown as inventory.Prospect, url, '<svg/>', '2027-01-05')
    expect(view.qr).toBe(`data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}`)
  })

  it('is gone when dead, asks a visitor to sign in and come back, takes a signed-in person to the offer form', () => {
    expect(giveAnswer(false, true, 'tok')).toEqual({ gone: true })
    expect(giveAnswer(true, false, 'a b')).toEqual({ redirect: '/signin?next=%2Fgive%3Ftoken%3Da%20b' })
    expect(giveAnswer(true, true, 'a b')).toEqual({ redirect: '/offers/new?give=a%20b' })
  })
})
