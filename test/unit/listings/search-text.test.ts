import { describe, expect, it } from 'vitest'
import { searchText } from '../../../src/listings/search-text.js'

describe("a listing's searchable text", () => {
  it("is its title, and its description with a need's place below it", () => {
    expect(searchText({ title: '排练场地', description: '每周二晚', place: '荔枝湾社区活动室' })).toEqual({
      title: '排练场地',
      body: '每周二晚\n荔枝湾社区活动室',
    })
  })

  it("is an offer's title and description alone (offers have no place)", () => {
    expect(searchText({ title: '舞蹈室', description: '可容纳30人' })).toEqual({ title: '舞蹈室', body: '可容纳30人' })
  })
})
