import { describe, expect, it } from 'vitest'
import { isWithin, pathIds } from '../../../src/areas/paths.js'
import { pathCovered } from '../../../src/areas/coverage.js'

describe('area paths', () => {
  it('read root first, the area last', () => {
    expect(pathIds('/3/17/')).toEqual([3, 17])
    expect(pathIds('/3/')).toEqual([3])
  })

  it('put an area within itself and within every area above it, never within a sibling', () => {
    expect(isWithin('/3/17/', '/3/17/'), 'an area lies within itself').toBe(true)
    expect(isWithin('/3/17/', '/3/'), 'a community lies within its street').toBe(true)
    expect(isWithin('/3/', '/3/17/'), 'a street does not lie within its community').toBe(false)
    expect(isWithin('/3/18/', '/3/17/'), 'a community does not lie within its sibling').toBe(false)
  })

  it('never take one id for the beginning of another (street 1 does not hold street 12)', () => {
    expect(isWithin('/12/5/', '/1/')).toBe(false)
  })
})

describe('broker coverage, the pure rule', () => {
  it("covers an area when one of the broker's areas is on its path: itself or a street above", () => {
    expect(pathCovered([17], '/3/17/'), 'the community itself').toBe(true)
    expect(pathCovered([3], '/3/17/'), 'the street above it').toBe(true)
    expect(pathCovered([9, 3], '/3/17/'), 'any one of several').toBe(true)
  })

  it('does not cover a street from one of its communities, nor a neighbour, nor anything with no areas', () => {
    expect(pathCovered([17], '/3/'), 'a community does not cover its street').toBe(false)
    expect(pathCovered([18], '/3/17/'), 'a sibling community').toBe(false)
    expect(pathCovered([1], '/12/5/'), 'an id that is a prefix of another').toBe(false)
    expect(pathCovered([], '/3/17/')).toBe(false)
  })
})
