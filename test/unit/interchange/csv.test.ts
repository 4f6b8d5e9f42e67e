import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeText, parseCsv, csvLine } from '../../../src/interchange/csv.js'
import { readFiles, sectionOfFile, toCsv, locate, type LedgerProblem } from '../../../src/interchange/interchange.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/interchange')
const csvFiles = () =>
  fs
    .readdirSync(path.join(FIXTURES, 'csv'))
    .map((name) => ({ name, data: fs.readFileSync(path.join(FIXTURES, 'csv', name)) }))
const where = (ps: LedgerProblem[]) => ps.map((p) => `${locate(p)} ${p.message.key}`)

describe('parsing CSV', () => {
  it('reads quoted cells holding commas, doubled quotes, line breaks and Chinese', () => {
    const { rows } = parseCsv('a,b,c\r\n"一,二","他说""你好""","第一行\r\n第二行"\r\n')
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['一,二', '他说"你好"', '第一行\r\n第二行'] },
    ])
  })

  it('counts lines through multi-line cells and skips blank lines', () => {
    const { rows } = parseCsv('h\n"x\ny"\n\nz')
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5])
  })

  it('keeps empty cells, including trailing ones', () => {
    expect(parseCsv('a,,c,\n').rows[0].cells).toEqual(['a', '', 'c', ''])
  })

  it('reports a quoted cell that never closes, with its line', () => {
    expect(parseCsv('a,b\n1,"open\n2,3\n').unclosed).toBe(2)
  })

  it('drops a UTF-8 byte-order mark and decodes GB18030 from Excel on a Chinese Windows', () => {
    expect(decodeText(Buffer.from('\uFEFFref,name\n', 'utf8'))).toBe('ref,name\n')
    const gbk = Buffer.from([0x72, 0x65, 0x66, 0x2c, 0xc4, 0xe3, 0xba, 0xc3]) // "ref,你好" in GBK
    expect(decodeText(gbk)).toBe('ref,你好')
  })

  it('writes cells so that reading them back gives the same text', () => {
    const cells = ['plain', 'a,b', '他说"好"', 'two\nlines', ' padded ', '']
    expect(parseCsv(csvLine(cells)).rows[0].cells).toEqual(cells)
  })
})

describe('CSV files as a ledger', () => {
  it('reads one file per section, with typed cells, ";" lists and yes/no in Chinese', () => {
    const { ledger, problems } = readFiles(csvFiles())
    expect(problems).toEqual([])
    expect(ledger.areas?.map((a) => [a.ref, a.parent])).toEqual([
      ['H', null],
      ['H-DH', 'H'],
      ['H-DH-LZW', 'H-DH'],
    ])
    expect(ledger.areas?.[1].name_en).toBe('Donghu Street, East')
    expect(ledger.areas?.[2]).toMatchObject({ lat: 23.12, lng: 113.27 })
    expect(ledger.organizations?.[0]).toMatchObject({
      registered: false,
      focus: ['elderly', 'culture'],
      members: 35,
      description: '每天傍晚跳舞，队长说："雨天没地方去"，想参加比赛。',
    })
    expect(ledger.organizations?.[1]).toMatchObject({ registered: true, trust: 'endorsed', focus: ['community'] })
    expect(ledger.needs?.[0]).toMatchObject({
      quantity: 16,
      schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
      description: '每周二、四晚上排练，\n需要能放音乐的室内场地, 30多人',
    })
    expect(ledger.needs?.[1]).toEqual({
      ref: 'n-2',
      org: 'org-dance',
      category: 'materials',
      title: '便携音响',
      quantity: 1,
      area: 'H-DH-LZW',
      urgency: 'normal',
    })
    expect(ledger.offers?.[0].conditions).toEqual({ min_trust: 'self_declared', focus: [] })
  })

  it('accepts the full-width ；that Chinese input methods type between list items', () => {
    const { ledger } = readFiles([
      {
        name: 'organizations.csv',
        data: 'ref,name,kind,area,focus\norg-a,组织甲,community_group,H,elderly；children\n',
      },
    ])
    expect(ledger.organizations?.[0].focus).toEqual(['elderly', 'children'])
  })

  it('knows the section from the file name', () => {
    expect(sectionOfFile('needs.csv')).toBe('needs')
    expect(sectionOfFile('/tmp/x/Offers-2026.csv')).toBe('offers')
    expect(sectionOfFile('needs (1).csv')).toBe('needs')
    expect(sectionOfFile('needsy.csv')).toBeUndefined()
    expect(sectionOfFile('ledger.csv')).toBeUndefined()
  })

  it('names a bad cell by the record ref, or by its line when the ref is missing', () => {
    const { problems } = readFiles([
      { name: 'needs.csv', data: 'ref,org,category,title,quantity,area\nn-1,o,venue,场地,十,A\n,o,venue,场地,3,A\n' },
    ])
    expect(where(problems)).toEqual(['needs[n-1].quantity ledger.not_integer', 'needs[#3].ref ledger.required'])
  })

  it('reports file problems: unknown, duplicate and missing columns, extra cells, an unclosed quote, a file for no section', () => {
    const { problems } = readFiles([
      { name: 'areas.csv', data: 'ref,name,parent,备注,name\nA,甲区,,note,x\nB,乙街道,A,,,extra\n' },
      { name: 'offers.csv', data: 'ref,org,title\no-1,org,"unclosed\n' },
      { name: 'stuff.csv', data: 'a\n1\n' },
    ])
    expect(where(problems)).toEqual([
      'areas.备注 ledger.unknown_column',
      'areas.name ledger.duplicate_column',
      'areas[B] ledger.csv_cells',
      'offers ledger.csv_quote',
      'offers.category ledger.missing_column',
      'offers.quantity ledger.missing_column',
      'offers.serves ledger.missing_column',
      'stuff.csv ledger.csv_name',
    ])
  })

  it('refuses files of another type, binary files, JSON mixed with CSV, two files for one section, and no files', () => {
    expect(where(readFiles([{ name: 'ledger.xlsx', data: Buffer.from('PK') }]).problems)).toEqual([
      'ledger.xlsx ledger.file_type',
    ])
    expect(where(readFiles([{ name: 'needs.csv', data: Buffer.from([0x50, 0x4b, 0x00, 0x01]) }]).problems)).toEqual([
      'needs.csv ledger.binary',
    ])
    expect(
      readFiles([
        { name: 'a.json', data: '{}' },
        { name: 'needs.csv', data: 'ref\n' },
      ]).problems.map((p) => p.message.key),
    ).toEqual(['ledger.mixed'])
    expect(
      where(
        readFiles([
          { name: 'needs.csv', data: 'ref\n' },
          { name: 'needs-2.csv', data: 'ref\n' },
        ]).problems,
      ),
    ).toContain('needs-2.csv ledger.duplicate_file')
    expect(readFiles([]).problems.map((p) => p.message.key)).toEqual(['ledger.no_files'])
    expect(readFiles([{ name: 'l.json', data: '{"format": ' }]).problems.map((p) => p.message.key)).toEqual([
      'ledger.json',
    ])
  })

  it('gives back, from toCsv, files that read as the same ledger', () => {
    const first = readFiles(csvFiles()).ledger
    const again = readFiles(Object.entries(toCsv(first)).map(([name, data]) => ({ name, data }))).ledger
    expect(again).toEqual(first)
  })
})
