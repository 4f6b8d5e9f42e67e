import { describe, expect, it } from 'vitest'
import { tally } from '../../../src/topics/precision.js'

const pair = (needId: number, offerId: number, topics: string[], category = 'materials') => ({
  needId,
  offerId,
  category,
  topics,
})

describe('precision on real use', () => {
  it('counts a pair once however many matches it had, under each of its topics, and a decline under the same topics', () => {
    const figures = tally(
      [pair(1, 1, ['sound']), pair(1, 1, ['sound']), pair(2, 1, ['sound', 'props']), pair(3, 2, [])],
      [
        { ...pair(2, 1, ['props']), source: 'decline' },
        { ...pair(2, 1, []), source: 'decline' },
        { ...pair(9, 9, ['sound']), source: 'decline' },
      ],
    )
    expect(figures).toHaveLength(1)
    const [materials] = figures
    expect(materials).toMatchObject({ category: 'materials', suggested: 3, declined: 1, unticked: 0 })
    expect(materials!.precision).toBeCloseTo(2 / 3)
    const byTopic = Object.fromEntries(materials!.topics.map((t) => [String(t.topic), t]))
    expect(byTopic.sound).toMatchObject({ suggested: 2, declined: 1, precision: 0.5 })
    expect(byTopic.props).toMatchObject({ suggested: 1, declined: 1, precision: 0 })
    expect(byTopic.null).toMatchObject({ suggested: 1, declined: 0, precision: 1 })
  })

  it('keeps allocation unticks apart from declines, since they were never matches', () => {
    const [venue] = tally([], [{ ...pair(1, 2, ['kitchen'], 'venue'), source: 'allocation' }])
    expect(venue).toMatchObject({ category: 'venue', suggested: 0, declined: 0, unticked: 1, precision: null })
  })
})
