import { describe, expect, it } from 'vitest'
import { precisionView } from '../../../src/topics/topics.pages.js'

const t = (key: string) => `[${key}]`
const figures = (precision: number | null, topicPrecision: number | null) => ({
  category: 'space',
  suggested: 3,
  declined: 1,
  unticked: 0,
  precision,
  topics: [
    { topic: 'rehearsal', suggested: 3, declined: 1, unticked: 0, precision: topicPrecision },
    { topic: null, suggested: 0, declined: 0, unticked: 0, precision: null },
  ],
})

describe('precisionView: how often pairs were about other things', () => {
  it('gives each share as a whole percent and names each topic', () => {
    const v = precisionView(
      {
        figures: [figures(2 / 3, 0.005)],
        names: (c) => (c ?? []).map((code) => ({ code, name: '排练' })),
        categoryNames: {},
      },
      t,
    )
    expect(v.figures[0]!.share).toBe('67%')
    expect(v.figures[0]!.topics.map((f) => [f.name, f.share])).toEqual([
      ['排练', '1%'],
      ['[topics.precision.no_topic]', '—'],
    ])
  })

  it('shows a dash, not 0%, where nothing was suggested', () => {
    const v = precisionView(
      { figures: [figures(null, 0)], names: () => [{ code: 'x', name: 'x' }], categoryNames: {} },
      t,
    )
    expect([v.figures[0]!.share, v.figures[0]!.topics[0]!.share]).toEqual(['—', '0%'])
  })
})
