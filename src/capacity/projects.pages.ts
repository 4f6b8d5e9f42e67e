import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as projects from './projects.js'
import * as projectReport from './project-report.js'
import * as areaService from '../areas/areas.js'
import { categoryNames } from '../listings/listings.js'
import { barChart } from './chart.js'
import { fixed } from './capacity.js'
import { attachment } from '../shared/http.js'
import { signed } from '../shared/format.js'
import { NotFound } from '../shared/errors.js'
import { workbook } from '../reports/workbook.js'
import type { Cell, Table } from '../reports/tables.js'
import type { DimensionScores } from './indicators.js'

type Sheet = Pick<Table, 'title' | 'columns' | 'rows'>
type Viewer = CurrentUser | null

const share = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`)
const mean = (v: number | null) => (v === null ? '—' : v.toFixed(2))

/** What the project page shows: the service's figures as text, and the cohort's before/after chart. */
export function projectView(
  r: projectReport.ProjectReport,
  words: { area: string; category: (code: string) => string },
) {
  const means = (pick: 'baselineMean' | 'endlineMean') =>
    Object.fromEntries(r.cohort.dimensions.map((d) => [d.code, d[pick]])) as DimensionScores
  const chart = barChart([
    { key: 'baseline', scores: means('baselineMean') },
    { key: 'endline', scores: means('endlineMean') },
  ])
  const row = <
    F extends
      | projectReport.ProjectReport['cohort']['dimensions'][number]['indicators'][number]
      | projectReport.ProjectReport['cohort']['dimensions'][number],
  >(
    f: F,
  ) => ({
    ...f,
    baselineText: mean(f.baselineMean),
    endlineText: mean(f.endlineMean),
    changeText: signed(f.pairedChange, 2),
    shareText: share(f.improvedShare),
    trend: f.pairedChange === null || f.pairedChange === 0 ? 'same' : f.pairedChange > 0 ? 'up' : 'down',
    missingEndline: r.cohort.cohort - f.withEndline,
  })
  return {
    ...r,
    chart: {
      ...chart,
      groups: chart.groups.map((g) => ({ ...g, bars: g.bars.map((b) => ({ ...b, text: fixed(b.value) })) })),
    },
    dimensions: r.cohort.dimensions.map((d) => ({ ...row(d), indicators: d.indicators.map(row) })),
    areaLabel: words.area,
    delivered: r.assets.delivered.map((d) => ({ ...d, categoryName: words.category(d.category) })),
    shownGroups: r.groups.filter((g) => g.shown),
    hiddenGroups: r.groups.filter((g) => !g.shown).length,
  }
}

/** The close-out (结项) workbook: the project, the cohort's figures per dimension and indicator, the groups, the assets. */
function tables(r: projectReport.ProjectReport, t: Translate, category: (code: string) => string): Sheet[] {
  const num = (value: number | null, format: Cell['format'] = 'decimal'): Cell => ({ value, format })
  const words = (value: string): Cell => ({ value, format: 'text' })
  const figures: Sheet = {
    title: t('projects.book.figures'),
    columns: ['dimension', 'indicator', 'baseline', 'endline', 'change', 'improved', 'paired', 'missing_endline'].map(
      (c) => t(`projects.col.${c}`),
    ),
    rows: r.cohort.dimensions.flatMap((d) =>
      [d, ...d.indicators].map((f) => [
        words(t(`capacity.dim.${d.code}`)),
        words(f === d ? t('projects.col.dimension_mean') : t(`capacity.ind.${f.code}`)),
        num(f.baselineMean),
        num(f.endlineMean),
        num(f.pairedChange),
        num(f.improvedShare, 'percent'),
        num(f.paired, 'int'),
        num(r.cohort.cohort - f.withEndline, 'int'),
      ]),
    ),
  }
  const groups: Sheet = {
    title: t('projects.book.groups'),
    columns: ['group', 'baseline_on', 'endline_on', 'status'].map((c) => t(`projects.col.${c}`)),
    rows: r.groups
      .filter((g) => g.shown)
      .map((g) => [
        words(g.name),
        words(g.baseline?.assessedOn ?? '—'),
        words(g.endline?.assessedOn ?? '—'),
        words(
          t(
            g.left
              ? 'projects.status.left'
              : !g.baseline
                ? 'projects.status.no_baseline'
                : !g.endline
                  ? 'projects.status.no_endline'
                  : 'projects.status.paired',
          ),
        ),
      ]),
  }
  const a = r.assets
  const assets: Sheet = {
    title: t('projects.book.assets'),
    columns: [t('projects.col.item'), t('projects.col.amount')],
    rows: [
      [words(t('projects.assets.holders')), num(a.holdersNewlyLinked, 'int')],
      [words(t('projects.assets.partnerships')), num(a.partnerships, 'int')],
      [words(t('projects.assets.funds')), num(a.fundsReceived, 'int')],
      [words(t('projects.assets.hours')), num(a.volunteerHours, 'int')],
      [words(t('projects.assets.tasks')), num(a.tasksDone, 'int')],
      [words(t('projects.assets.awards')), num(a.awards, 'int')],
      [words(t('projects.assets.award_released')), num(a.awardReleasedFen / 100, 'money')],
      ...a.delivered.map((d): Cell[] => [
        words(t('projects.assets.delivered', { category: category(d.category), unit: t(`unit.${d.unit}`) })),
        num(d.quantity, 'int'),
      ]),
    ],
  }
  return [figures, groups, assets]
}

/** The project list: each project's area in the reader's language; creating one offered to whoever runs an area. */
export function projectsIndexView(
  list: ReturnType<typeof projects.list>,
  canCreate: boolean,
  t: Translate,
  locale: Locale,
) {
  return {
    title: t('projects.title'),
    canCreate,
    projects: list.map((p) => ({
      ...p,
      areaLabel: areaService.displayName({ name: p.areaName, nameEn: p.areaNameEn }, locale),
    })),
  }
}

/** A project this viewer may see, with its area named in the reader's language and the category names; else not found. */
export function loadProject(db: Db, viewer: Viewer, id: number, locale: Locale) {
  const r = projectReport.report(db, viewer, id)
  if (!r) throw new NotFound()
  const names = categoryNames(db, locale)
  return {
    r,
    area: areaService.displayName({ name: r.project.areaName, nameEn: r.project.areaNameEn }, locale),
    category: (code: string) => names[code] ?? code,
    candidates: r.access === 'full' ? projects.candidates(db, r.project) : [],
  }
}
type ProjectData = ReturnType<typeof loadProject>

/** The project's page: its figures as text; managing it (and the groups that may join) only with full access. */
export function projectPageView(d: ProjectData) {
  return {
    title: d.r.project.name,
    p: projectView(d.r, { area: d.area, category: d.category }),
    manage: d.r.access === 'full',
    candidates: d.r.access === 'full' ? d.candidates : [],
  }
}

/** The close-out workbook: a cover naming the project, its area, period, cohort and rule; its file name in the reader's words. */
export async function projectWorkbook(d: ProjectData, t: Translate) {
  const p = d.r.project
  const cover = {
    title: t('projects.book.title'),
    lines: [
      [t('projects.field.name'), p.name],
      [t('projects.field.funder'), p.funder],
      [t('projects.field.area'), d.area],
      [t('projects.field.period'), `${p.startsOn} — ${p.endsOn}`],
      [t('projects.col.cohort'), String(d.r.cohort.cohort)],
      [t('projects.book.rule'), t('projects.rule')],
    ] as [string, string][],
  }
  const name = attachment(`${t('projects.book.file')}-${p.name}.xlsx`, `assetbridge-project-${p.id}.xlsx`)
  return { name, file: await workbook(cover, tables(d.r, t, d.category)) }
}
