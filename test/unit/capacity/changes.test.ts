import { describe, expect, it } from 'vitest'
import { changesBetween, facts } from '../../../src/capacity/changes.js'
import { INDICATOR_CODES, type Scores } from '../../../src/capacity/indicators.js'

const all = (score: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, score]))
const base = facts({
  assessedOn: '2026-03-01',
  scores: all(3),
  withLeader: true,
  participants: '张阿姨',
  note: '第一次',
  notes: { reach: '两个小区' },
})

describe('what an edit changed', () => {
  it('is nothing when every field is the same, whitespace and absent notes included', () => {
    const same = facts({
      assessedOn: '2026-03-01',
      scores: all(3),
      withLeader: true,
      participants: ' 张阿姨 ',
      note: '第一次\n',
      notes: { reach: '两个小区 ', funding: '' },
    })
    expect(changesBetween(base, same)).toEqual([])
  })

  it('names every changed field with its old and new value, in the form order', () => {
    const after = facts({
      assessedOn: '2026-02-27',
      scores: { ...all(3), reach: 5, funding: 1 },
      withLeader: false,
      participants: '张阿姨、李叔',
      note: '补记',
      notes: { funding: '靠队员自掏腰包' },
    })
    expect(changesBetween(base, after)).toEqual([
      { field: 'assessedOn', from: '2026-03-01', to: '2026-02-27' },
      { field: 'withLeader', from: true, to: false },
      { field: 'participants', from: '张阿姨', to: '张阿姨、李叔' },
      { field: 'score_reach', from: 3, to: 5 },
      { field: 'note_reach', from: '两个小区', to: '' },
      { field: 'score_funding', from: 3, to: 1 },
      { field: 'note_funding', from: '', to: '靠队员自掏腰包' },
      { field: 'note', from: '第一次', to: '补记' },
    ])
  })

  it('treats a score missing before as null, so a first score still shows where it came from', () => {
    const { skills: _, ...partial } = all(3)
    expect(changesBetween({ ...base, scores: partial }, base)).toEqual([{ field: 'score_skills', from: null, to: 3 }])
  })
})
