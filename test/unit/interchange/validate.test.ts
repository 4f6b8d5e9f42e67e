import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkLedger,
  readFiles,
  describe as describeProblem,
  locate,
  FORMAT,
  type LedgerProblem,
} from '../../../src/interchange/interchange.js'
import { isWeeklyRule } from '../../../src/interchange/validate.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/interchange')
const where = (ps: LedgerProblem[]) => ps.map((p) => `${locate(p)} ${p.message.key}`)

describe('checking a ledger without a database', () => {
  it('accepts the example from INTERCHANGE.md as it is', () => {
    const { problems, ledger } = readFiles([
      { name: 'ledger.json', data: fs.readFileSync(path.join(FIXTURES, 'ledger.json')) },
    ])
    expect(problems).toEqual([])
    expect(ledger.needs?.map((n) => n.ref)).toEqual(['n-1', 'n-2'])
  })

  it('reports every problem of a bad file with its section, ref and field', () => {
    const { problems } = readFiles([{ name: 'bad.json', data: fs.readFileSync(path.join(FIXTURES, 'bad.json')) }])
    expect(where(problems).sort()).toEqual(
      [
        'needs[n-8].ref ledger.duplicate_ref',
        'needs[n-8].quanity ledger.unknown_field',
        'needs[n-8].quantity ledger.not_integer',
        'needs[n-8].quantity ledger.range',
        'needs[n-8].schedule ledger.schedule',
        'needs[n-8].until ledger.window',
        'needs[n-8].urgency ledger.enum',
        'offers[o-1].close_reason ledger.close_reason_status',
        'offers[o-1].conditions.min_trust ledger.enum',
        'organizations[org-a].focus ledger.enum',
        'organizations[org-a].kind ledger.enum',
      ].sort(),
    )
  })

  it('says each problem in English the way the contract does', () => {
    const { problems } = checkLedger({
      format: FORMAT,
      needs: [{ ref: 'n-7', org: 'o', category: 'venue', title: '场地', quantity: 0, area: 'A', urgency: 'soon' }],
    })
    expect(problems.map((p) => describeProblem(p))).toEqual([
      'needs[n-7].quantity: 0 is outside 1–10000000',
      'needs[n-7].urgency: "soon" is not one of: low, normal, high',
    ])
    expect(describeProblem(problems[1], 'zh-CN')).toBe('needs[n-7].urgency: “soon”不在可选值中：low, normal, high')
  })

  it('names a record without a usable ref by its position', () => {
    const { problems } = checkLedger({
      format: FORMAT,
      areas: [{ ref: 'A', name: 'A区', parent: null }, { name: '无名' }, 'not an object'],
    })
    expect(where(problems)).toEqual(['areas[#2].ref ledger.required', 'areas[#3] ledger.not_object'])
  })

  it('refuses a file that is not a v1 ledger, naming the format and unknown sections', () => {
    expect(where(checkLedger({ format: 'assetbridge/v2', needz: [] }).problems)).toEqual([
      'format ledger.format',
      'needz ledger.unknown_section',
    ])
    expect(checkLedger([]).problems.map((p) => p.message.key)).toEqual(['ledger.not_object'])
    expect(where(checkLedger({ format: FORMAT, needs: {} }).problems)).toEqual(['needs ledger.not_list'])
  })

  it('checks types, lengths, bounds, dates, refs and lists field by field', () => {
    const { problems } = checkLedger({
      format: FORMAT,
      areas: [{ ref: 'bad ref', name: 'x'.repeat(61), parent: null, lat: 91, lng: 'east' }],
      organizations: [
        { ref: 'o', name: 'A', kind: 'school', area: 'X', registered: 'yes', focus: 'elderly', members: 0, extra: 1 },
      ],
      needs: [
        {
          ref: 'n',
          org: 'o',
          category: 'venue',
          title: '标题',
          quantity: 10_000_001,
          area: 'X',
          from: '2026-02-30',
          expires: 'tomorrow',
          beneficiaries: -1,
        },
      ],
    })
    expect(where(problems)).toEqual([
      'areas[#1].ref ledger.ref',
      'areas[#1].name ledger.too_long',
      'areas[#1].lat ledger.range',
      'areas[#1].lng ledger.not_number',
      'organizations[o].extra ledger.unknown_field',
      'organizations[o].name ledger.too_short',
      'organizations[o].registered ledger.not_boolean',
      'organizations[o].focus ledger.not_list',
      'organizations[o].members ledger.range',
      'needs[n].quantity ledger.range',
      'needs[n].from ledger.date',
      'needs[n].beneficiaries ledger.range',
      'needs[n].expires ledger.date',
    ])
  })

  it('normalises records so that equal data compares equal: trimmed text, defaults, deduplicated lists', () => {
    const { ledger, problems } = checkLedger({
      format: FORMAT,
      organizations: [
        {
          ref: ' org-a ',
          name: '  舞蹈队 ',
          kind: 'community_group',
          area: 'A',
          focus: ['elderly', 'elderly', 'culture'],
        },
      ],
      offers: [{ ref: 'o-1', org: 'org-a', category: 'venue', title: '活动室', quantity: 5, serves: 'A' }],
    })
    expect(problems).toEqual([])
    expect(ledger.organizations![0]).toEqual({
      ref: 'org-a',
      name: '舞蹈队',
      kind: 'community_group',
      area: 'A',
      registered: false,
      focus: ['elderly', 'culture'],
    })
    expect(ledger.offers![0].conditions).toEqual({ min_trust: 'self_declared', focus: [] })
  })
})

describe('weekly schedules', () => {
  it('accepts weekly RRULEs with days, hours and the usual extra parts', () => {
    for (const rule of [
      'FREQ=WEEKLY',
      'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
      'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;BYHOUR=9,10;BYMINUTE=30',
      'freq=weekly;byday=mo',
      'FREQ=WEEKLY;BYDAY=SU;UNTIL=20270101T000000Z',
    ]) {
      expect(isWeeklyRule(rule), rule).toBe(true)
    }
  })

  it('refuses other frequencies, unknown parts, bad values and repeated parts', () => {
    for (const rule of [
      'FREQ=DAILY',
      'FREQ=MONTHLY;BYMONTHDAY=1',
      'BYDAY=MO',
      'FREQ=WEEKLY;BYDAY=XX',
      'FREQ=WEEKLY;BYHOUR=24',
      'FREQ=WEEKLY;FREQ=WEEKLY',
      'FREQ=WEEKLY;BYSETPOS=1',
      'FREQ=WEEKLY;COUNT=3;UNTIL=20270101',
      'every tuesday',
      '',
    ]) {
      expect(isWeeklyRule(rule), rule).toBe(false)
    }
  })
})
