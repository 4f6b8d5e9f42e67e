import { describe, expect, it } from 'vitest'
import { agendaView } from '../../../src/impact/map.pages.js'
import type { agendaData } from '../../../src/impact/map.js'

type AgendaData = ReturnType<typeof agendaData>
const area = (id: number, name: string, nameEn: string | null) => ({ id, name, nameEn, path: `/1/${id}/` })
const group = (areaId: number, category: string, offersCovering: number) => ({
  areaId,
  category,
  needs: 2,
  organizations: 1,
  offersCovering,
  exampleNeedId: 40 + areaId,
})
const data = (mine: number[]): AgendaData =>
  ({
    areas: [area(2, '桃园社区', 'Taoyuan'), area(3, '湖滨社区', null)],
    categories: [{ code: 'training', nameZh: '培训', nameEn: 'Training', unit: 'hours' }],
    mine: new Set(mine),
    idle: { total: 3, list: [{ id: 9, areaId: 3, category: 'training', unit: 'hours' }] },
    unmet: [group(2, 'training', 0), group(3, 'training', 2), group(3, 'unknown', 1)],
  }) as unknown as AgendaData

describe('agendaView: the broker’s agenda', () => {
  it('puts the broker’s own communities first, marked, and keeps the order otherwise', () => {
    const view = agendaView(data([3]), 'zh-CN')
    expect(view.broker).toBe(true)
    expect(view.unmet.map((g) => [g.areaId, g.category, g.mine])).toEqual([
      [3, 'training', true],
      [3, 'unknown', true],
      [2, 'training', false],
    ])
    expect(agendaView(data([]), 'zh-CN').unmet.map((g) => g.areaId)).toEqual([2, 3, 3])
    expect(agendaView(data([]), 'zh-CN').broker).toBe(false)
  })

  it('says "nobody offers" where no offer covers the place, and "none fits" where some do', () => {
    const [nobody, noneFits] = agendaView(data([]), 'en').unmet
    expect(nobody!.sentence.startsWith('No one offers training in Taoyuan')).toBe(true)
    expect(noneFits!.sentence.startsWith('In 湖滨社区, 2 offers of training exist but none fits')).toBe(true)
    expect(nobody!.exampleHref).toBe('/needs/42#why-not')
    expect(nobody!.needsHref).toBe('/needs?area=2&category=training')
  })

  it('writes a category in lower case inside an English sentence, and names an unknown one by its code', () => {
    const view = agendaView(data([]), 'en')
    expect(view.unmet[0]!.categoryName).toBe('training')
    expect(agendaView(data([]), 'zh-CN').unmet[0]!.categoryName).toBe('培训')
    expect(view.unmet[2]!.categoryName).toBe('unknown')
  })

  it('lists idle offers with their place and unit in the reader’s words, and how many there are in all', () => {
    const view = agendaView(data([3]), 'en')
    expect(view.idle).toEqual([
      expect.objectContaining({ id: 9, place: '湖滨社区', categoryName: 'Training', mine: true }),
    ])
    expect(view.idle[0]!.unitName).not.toBe('unit.hours')
    expect(view.idleTotal).toBe(3)
  })
})
