import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as areas from '../areas/areas.js'
import * as reports from './reports.js'
import { pathIds } from '../areas/paths.js'
import { categoryNames } from '../listings/listings.js'
import { ValidationError, type FieldErrors } from '../shared/errors.js'
import { charts } from './charts.js'
import { formatted, headlines, tables, type Words } from './tables.js'

export interface ReportQuery {
  area?: number
  from?: string
  to?: string
}

/**
 * The report asked for, or what to fix in the period form: `problems` are the query's own (a malformed parameter is
 * the user's to fix, not a reason to quietly show a different report), then the period and area are resolved.
 */
export function loadReportPage(
  db: Db,
  viewer: CurrentUser,
  query: ReportQuery,
  problems: FieldErrors | undefined,
  locale: Locale,
  now = new Date(),
) {
  const refused = (errors: FieldErrors) => ({
    ok: false as const,
    errors,
    query,
    scope: reports.reportableAreas(db, viewer),
  })
  if (problems) return refused(problems)
  try {
    const { area, period, scope } = reports.resolve(db, viewer, query, now)
    const report = reports.build(db, area.path, period)
    return { ok: true as const, area, period, scope, report, categoryNames: categoryNames(db, locale) }
  } catch (err) {
    if (err instanceof ValidationError) return refused(err.fields)
    throw err
  }
}

export type ReportPage = ReturnType<typeof loadReportPage>

/** The areas to choose from, each indented under the one above it, counted from the viewer's highest. */
export function areaOptions(scope: areas.Area[], locale: Locale) {
  const top = Math.min(...scope.map((a) => pathIds(a.path).length))
  return scope.map((a) => ({
    id: a.id,
    label: `${'\u3000'.repeat(pathIds(a.path).length - top)}${areas.displayName(a, locale)}`,
  }))
}

/**
 * What reports/show is given. A refused query comes back 422 with the user's own values and no report; otherwise the
 * report's figures, charts and tables, the links to the preset periods (the one shown marked) and the download query.
 */
export function reportPageView(data: ReportPage, t: Translate, locale: Locale, now = new Date()) {
  const title = t('reports.title')
  if (!data.ok) {
    const { area, from, to } = data.query
    return {
      status: 422,
      view: { title, errors: data.errors, values: { area, from, to }, areaOptions: areaOptions(data.scope, locale) },
    }
  }
  const { area, period, report } = data
  const names = data.categoryNames
  const w: Words = { t, category: (code) => names[code] ?? code, unit: (code) => t(`unit.${code}`) }
  const link = (p: { from: string; to: string }) =>
    new URLSearchParams({ area: String(area.id), from: p.from, to: p.to })
  return {
    status: 200,
    view: {
      title,
      values: { area: area.id, ...period },
      areaOptions: areaOptions(data.scope, locale),
      query: link(period).toString(),
      presets: reports.presets(now).map((p) => ({
        ...p,
        current: p.from === period.from && p.to === period.to,
        href: `/reports?${link(p)}`,
      })),
      areaName: areas.displayName(area, locale),
      period,
      report,
      charts: charts(report, w, locale),
      tables: Object.fromEntries(tables(report, w).map((tb) => [tb.id, formatted(tb, locale)])),
      headline: headlines(report, locale),
    },
  }
}
