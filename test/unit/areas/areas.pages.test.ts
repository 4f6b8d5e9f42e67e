import { describe, expect, it } from 'vitest'
import { areaView, type loadArea } from '../../../src/areas/areas.pages.js'

const area = (id: number, name: string, nameEn: string | null) => ({
  id,
  name,
  nameEn,
  path: `/${id}/`,
  level: 'street',
})

describe("areaView: an area's page", () => {
  const data = {
    area: area(2, '东湖街道', 'Donghu Street'),
    ancestors: [area(1, '武昌区', null)],
    children: [area(3, '水果湖社区', 'Shuiguohu')],
    groups: { items: [{ id: 9 }], total: 21, page: 2, pages: 2 },
    page: 2,
  } as unknown as NonNullable<ReturnType<typeof loadArea>>

  it("names the area, where it sits and what it holds in the reader's language, Chinese where there is no English", () => {
    const v = areaView(data, 'en')
    expect([v.area.label, v.ancestors[0]!.label, v.children[0]!.label]).toEqual([
      'Donghu Street',
      '武昌区',
      'Shuiguohu',
    ])
    expect(areaView(data, 'zh-CN').area.label).toBe('东湖街道')
  })

  it('pages its groups as the groups list does, keeping the page asked for', () => {
    const v = areaView(data, 'zh-CN')
    expect([v.total, v.page, v.pages, v.query]).toEqual([21, 2, 2, { page: 2 }])
  })
})
