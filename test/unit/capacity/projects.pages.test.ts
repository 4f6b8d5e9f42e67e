import { describe, expect, it } from 'vitest'
import {
  loadProject,
  projectPageView,
  projectsIndexView,
  type projectView,
} from '../../../src/capacity/projects.pages.js'
import { DIMENSION_CODES } from '../../../src/capacity/indicators.js'

type Data = ReturnType<typeof loadProject>
type Figure = { code: string; baselineMean: number | null; endlineMean: number | null; pairedChange: number | null }

const figure = (code: string, f: Partial<Figure> = {}) => ({
  code,
  baselineMean: 2,
  endlineMean: 3,
  pairedChange: 1,
  improvedShare: 0.5,
  paired: 2,
  withEndline: 2,
  ...f,
})

/** A project of three groups as loadProject gathers it, with the access and figures each case sets. */
function data(over: { access?: 'full' | 'aggregate' | 'group'; first?: Partial<Figure>; candidates?: unknown[] } = {}) {
  const r = {
    access: over.access ?? 'full',
    project: { id: 4, name: '社区组织成长计划', areaName: '东湖街道', areaNameEn: 'Donghu Street' },
    cohort: {
      cohort: 3,
      dimensions: DIMENSION_CODES.map((code, i) => ({
        ...figure(code, i === 0 ? over.first : {}),
        indicators: [figure(`${code}_a`)],
      })),
    },
    groups: [
      { orgId: 1, name: 'A', shown: true },
      { orgId: 2, name: 'B', shown: false },
      { orgId: 3, name: 'C', shown: false },
    ],
    assets: { delivered: [{ category: 'venue', unit: 'hours', quantity: 12 }] },
  }
  return {
    r,
    area: 'Donghu Street',
    category: (code: string) => (code === 'venue' ? 'Venue' : code),
    candidates: over.candidates ?? [{ id: 9, name: 'D' }],
  } as unknown as Data
}
type View = ReturnType<typeof projectView>

describe('projectPageView: what a project page shows to whom', () => {
  it('lets whoever runs the project manage it, with the groups that may join', () => {
    const v = projectPageView(data({ access: 'full' }))
    expect(v).toMatchObject({ title: '社区组织成长计划', manage: true, candidates: [{ id: 9, name: 'D' }] })
  })

  it('a reader of the aggregates neither manages it nor sees who else could join', () => {
    const v = projectPageView(data({ access: 'aggregate' }))
    expect(v.manage).toBe(false)
    expect(v.candidates).toEqual([])
  })

  it('names only the groups shown and counts the others; delivered assets by their category names', () => {
    const p: View = projectPageView(data()).p
    expect(p.shownGroups.map((g) => g.name)).toEqual(['A'])
    expect(p.hiddenGroups).toBe(2)
    expect(p.delivered).toEqual([{ category: 'venue', unit: 'hours', quantity: 12, categoryName: 'Venue' }])
    expect(p.areaLabel).toBe('Donghu Street')
  })

  it('says a change with its sign and direction, a missing mean as a dash, and how many endlines are missing', () => {
    const up = projectPageView(data({ first: { pairedChange: 0.5 } })).p.dimensions[0]
    expect(up).toMatchObject({ changeText: '+0.50', trend: 'up', baselineText: '2.00', missingEndline: 1 })
    const down = projectPageView(data({ first: { pairedChange: -0.25 } })).p.dimensions[0]
    expect(down).toMatchObject({ trend: 'down' })
    expect(down.changeText).toBe('−0.25')
    const none = projectPageView(data({ first: { endlineMean: null, pairedChange: null } })).p.dimensions[0]
    expect(none).toMatchObject({ endlineText: '—', trend: 'same' })
  })
})

describe('projectsIndexView', () => {
  const list = [{ id: 1, name: 'P', areaName: '东湖街道', areaNameEn: '' }] as unknown as Parameters<
    typeof projectsIndexView
  >[0]
  it("names each project's area in the reader's language, the Chinese name when there is no English one", () => {
    const en = projectsIndexView(list, false, (k) => k, 'en')
    expect(en.projects[0].areaLabel).toBe('东湖街道')
    const withEn = projectsIndexView([{ ...list[0], areaNameEn: 'Donghu Street' }], true, (k) => k, 'en')
    expect(withEn).toMatchObject({ canCreate: true, projects: [{ areaLabel: 'Donghu Street' }] })
  })
})
