import { describe, expect, it } from 'vitest'
import type { Area } from '../../../src/areas/areas.js'
import { report } from '../../../src/reports/figures.js'
import { areaOptions, reportPageView, type ReportPage } from '../../../src/reports/reports.pages.js'

const t = (key: string) => `[${key}]`
const now = new Date('2026-12-06T04:00:00Z')
const area = (id: number, path: string, name: string, nameEn: string | null = null) =>
  ({ id, path, name, nameEn, ref: `a${id}` }) as unknown as Area
const street = area(2, '/1/2/', '东湖街道', 'Donghu Street')
const community = area(3, '/1/2/3/', '桃园社区')
const scope = [street, community]

/** A report page as loadReportPage gathers it, the report computed by the real figures from a month of venue rows. */
function shown(period: { from: string; to: string }): ReportPage {
  const r = report({
    period,
    areaPath: street.path,
    categories: [{ code: 'venue', unit: 'hours' }],
    needs: [],
    offers: [],
    uses: [],
    acceptances: [],
    requests: [],
    feedback: [],
    orgs: [],
    answerDays: 3,
    now,
  })
  return { ok: true, area: street, period, scope, report: r, categoryNames: { venue: '场地' } } as ReportPage
}

describe('reportPageView: the report page', () => {
  it('sends a refused query back 422 with the values as typed, the reasons and no report', () => {
    const data = {
      ok: false,
      errors: { to: { key: 'reports.period_order' } },
      query: { area: 2, from: '2026-12-01', to: '2026-11-01' },
      scope,
    } as ReportPage
    const { status, view } = reportPageView(data, t, 'zh-CN', now)
    expect(status).toBe(422)
    expect(view).toMatchObject({
      errors: { to: { key: 'reports.period_order' } },
      values: { area: 2, from: '2026-12-01', to: '2026-11-01' },
    })
    expect(view).not.toHaveProperty('report')
    expect(view).not.toHaveProperty('tables')
  })

  it('marks the preset period being shown, and links each preset for the same area', () => {
    const { status, view } = reportPageView(shown({ from: '2026-12-01', to: '2026-12-06' }), t, 'zh-CN', now)
    expect(status).toBe(200)
    const presets = (view as { presets: { key: string; current: boolean; href: string }[] }).presets
    expect(presets.filter((p) => p.current).map((p) => p.key)).toEqual(['month'])
    expect(presets[0]!.href).toBe('/reports?area=2&from=2026-12-01&to=2026-12-06')
    expect(presets.every((p) => p.href.startsWith('/reports?area=2&'))).toBe(true)
  })

  it('marks no preset for a period of the reader’s own choosing, and downloads exactly the period shown', () => {
    const { view } = reportPageView(shown({ from: '2026-03-01', to: '2026-03-31' }), t, 'zh-CN', now)
    expect((view as { presets: { current: boolean }[] }).presets.some((p) => p.current)).toBe(false)
    expect(view).toMatchObject({
      query: 'area=2&from=2026-03-01&to=2026-03-31',
      values: { area: 2, from: '2026-03-01' },
    })
  })

  it("names the area in the reader's language, falling back to its Chinese name", () => {
    expect(reportPageView(shown({ from: '2026-03-01', to: '2026-03-31' }), t, 'en', now).view).toMatchObject({
      areaName: 'Donghu Street',
    })
    expect(areaOptions(scope, 'en').map((o) => o.label)).toEqual(['Donghu Street', '\u3000桃园社区'])
  })
})

describe('areaOptions: the areas a viewer may report on', () => {
  it("indents each area under the viewer's highest, however deep that one is", () => {
    expect(areaOptions(scope, 'zh-CN')).toEqual([
      { id: 2, label: '东湖街道' },
      { id: 3, label: '\u3000桃园社区' },
    ])
    expect(areaOptions([community], 'zh-CN')).toEqual([{ id: 3, label: '桃园社区' }])
  })
})
