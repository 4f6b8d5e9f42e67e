import { describe, expect, it } from 'vitest'
import { applicationInput, scoresInput } from '../../../src/funds/calls-input.api.js'
import { ValidationError } from '../../../src/shared/errors.js'
import type { Criterion } from '../../../src/funds/calls.js'

const criteria = [
  { id: 11, name: '可行性', weight: 60 },
  { id: 12, name: '受益面', weight: 40 },
] as Criterion[]

describe('scoresInput: a reviewer names each criterion by id or by name', () => {
  it('scores by criterion id, whichever way each was named', () => {
    expect(
      scoresInput(criteria, [
        { criterion: 11, score: 4 },
        { criterion: '受益面', score: 2 },
      ]),
    ).toEqual({ 11: 4, 12: 2 })
  })

  it('refuses a criterion the call does not have, on the scores field', () => {
    const run = () => scoresInput(criteria, [{ criterion: '创新性', score: 5 }])
    expect(run).toThrow(ValidationError)
    try {
      run()
    } catch (err) {
      expect((err as ValidationError).fields).toEqual({ scores: { key: 'funds.validation.criterion_unknown' } })
    }
  })

  it('takes a map keyed by criterion id as sent, and no scores as none', () => {
    expect(scoresInput(criteria, { '11': 3 })).toEqual({ 11: 3 })
    expect(scoresInput(criteria, undefined)).toEqual({})
  })
})

describe('applicationInput: the API body as the service takes it', () => {
  it('makes one budget line of the title when only an amount is sent', () => {
    const input = applicationInput({ title: '楼道花园', asked: 50_000 }, 7)
    expect(input).toMatchObject({ orgId: 7, lines: [{ item: '楼道花园', askedFen: 50_000, ownFen: 0 }] })
  })

  it('keeps the budget lines as sent, with no own share as none, and no line when nothing is asked', () => {
    const lines = [
      { item: '种子', asked: 2_000 },
      { item: '工具', asked: 3_000, own: 500 },
    ]
    expect(applicationInput({ title: '楼道花园', budget_lines: lines, asked: 9 }, 7).lines).toEqual([
      { item: '种子', askedFen: 2_000, ownFen: 0 },
      { item: '工具', askedFen: 3_000, ownFen: 500 },
    ])
    expect(applicationInput({ title: '楼道花园' }, 7).lines).toEqual([])
  })

  it('a submitted application without an activity describes it by its title; a draft leaves it empty', () => {
    expect(applicationInput({ title: '楼道花园', submit: true }, 7).activity).toBe('楼道花园')
    expect(applicationInput({ title: '楼道花园' }, 7).activity).toBe('')
  })

  it('milestones in the service’s words, residents null when not said', () => {
    const input = applicationInput({ title: 'T', milestones: [{ title: '启动', due_on: '2026-03-01', share: 40 }] }, 7)
    expect(input.milestones).toEqual([{ title: '启动', dueOn: '2026-03-01', sharePct: 40 }])
    expect(input.residentsPlanned).toBeNull()
  })
})
