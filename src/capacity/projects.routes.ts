import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import * as projects from './projects.js'
import * as areaService from '../areas/areas.js'
import { categoryNames } from '../listings/listings.js'
import { barChart } from './chart.js'
import { fixed } from './capacity.js'
import { date, fields, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { attachment, redirectAfterPost, submitForm } from '../shared/http.js'
import { signed } from '../shared/format.js'
import { localToday } from '../shared/time.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'
import { workbook } from '../reports/workbook.js'
import type { Cell, Table } from '../reports/tables.js'

type Sheet = Pick<Table, 'title' | 'columns' | 'rows'>
import type { DimensionScores } from './indicators.js'

const MAX_ID = 2_147_483_647
const NewBody = formSchema(
  {
    name: str(projects.NAME_MAX, 2),
    funder: str(projects.FUNDER_MAX),
    areaId: int(1, MAX_ID),
    startsOn: date,
    endsOn: date,
    description: text(projects.DESCRIPTION_MAX),
  },
  ['name', 'areaId', 'startsOn', 'endsOn'],
)
const GroupBody = formSchema({ orgId: int(1, MAX_ID), version: int(1, MAX_ID) }, ['orgId', 'version'])
const LeaveBody = formSchema({ version: int(1, MAX_ID) }, ['version'])
const ConsentBody = formSchema({ orgId: int(1, MAX_ID), consent: oneOf(['yes', 'no']) }, ['orgId', 'consent'])
const GroupParams = fields({ id: int(1, MAX_ID), orgId: int(1, MAX_ID) }, ['id', 'orgId'])

type Body = Record<string, string | number | undefined>
const share = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`)
const mean = (v: number | null) => (v === null ? '—' : v.toFixed(2))

/** What the project page shows: the service's figures as text, and the cohort's before/after chart. */
export function projectView(r: projects.ProjectReport, words: { area: string; category: (code: string) => string }) {
  const means = (pick: 'baselineMean' | 'endlineMean') =>
    Object.fromEntries(r.cohort.dimensions.map((d) => [d.code, d[pick]])) as DimensionScores
  const chart = barChart([
    { key: 'baseline', scores: means('baselineMean') },
    { key: 'endline', scores: means('endlineMean') },
  ])
  const row = <
    F extends
      | projects.ProjectReport['cohort']['dimensions'][number]['indicators'][number]
      | projects.ProjectReport['cohort']['dimensions'][number],
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
function tables(r: projects.ProjectReport, t: FastifyRequest['t'], category: (code: string) => string): Sheet[] {
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

const projectsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The areas this user may run a project in: a broker's own, every area for an admin. */
  const areaOptions = (req: FastifyRequest) =>
    areaService.options(app.db, req.locale).filter((a) => projects.canManage(app.db, req.user, a.id))

  const showForm = (req: FastifyRequest, reply: FastifyReply, values: Body, errors: FieldErrors = {}, status = 200) =>
    reply.render(
      'projects/new',
      {
        title: req.t('projects.new.title'),
        values,
        errors: Object.keys(errors).length ? errors : undefined,
        areaOptions: areaOptions(req),
      },
      { status },
    )

  const found = (req: FastifyRequest, id: number) => {
    const r = projects.report(app.db, req.user, id)
    if (!r) throw new NotFound()
    return r
  }

  app.get('/projects', { config: { access: 'signed_in' } }, async (req, reply) =>
    reply.render('projects/index', {
      title: req.t('projects.title'),
      canCreate: areaOptions(req).length > 0,
      projects: projects.list(app.db, signedIn(req)).map((p) => ({
        ...p,
        areaLabel: areaService.displayName({ name: p.areaName, nameEn: p.areaNameEn }, req.locale),
      })),
    }),
  )

  app.get('/projects/new', { config: { access: 'staff' } }, async (req, reply) => {
    if (!areaOptions(req).length) throw new NotPermitted({ key: 'projects.not_permitted' })
    return showForm(req, reply, { startsOn: localToday(new Date()) })
  })

  app.post(
    '/projects',
    { config: { access: 'staff' }, schema: { body: NewBody }, attachValidation: true },
    async (req, reply) => {
      const b = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, b, errors, status),
        () => {
          const p = projects.create(app.db, signedIn(req), {
            name: b.name,
            funder: b.funder,
            areaId: b.areaId,
            startsOn: b.startsOn,
            endsOn: b.endsOn,
            description: b.description,
            orgIds: [],
          })
          reply.flash('projects.created')
          return redirectAfterPost(req, reply, `/projects/${p.id}`)
        },
      )
    },
  )

  app.get('/projects/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const r = found(req, req.params.id)
    const names = categoryNames(app.db, req.locale)
    const area = areaService.displayName({ name: r.project.areaName, nameEn: r.project.areaNameEn }, req.locale)
    return reply.render('projects/show', {
      title: r.project.name,
      p: projectView(r, { area, category: (code) => names[code] ?? code }),
      manage: r.access === 'full',
      candidates: r.access === 'full' ? projects.candidates(app.db, r.project) : [],
    })
  })

  app.get(
    '/projects/:id/workbook.xlsx',
    { config: { access: 'signed_in' }, schema: { params: idParam } },
    async (req, reply) => {
      const r = found(req, req.params.id)
      const names = categoryNames(app.db, req.locale)
      const p = r.project
      const cover = {
        title: req.t('projects.book.title'),
        lines: [
          [req.t('projects.field.name'), p.name],
          [req.t('projects.field.funder'), p.funder],
          [
            req.t('projects.field.area'),
            areaService.displayName({ name: p.areaName, nameEn: p.areaNameEn }, req.locale),
          ],
          [req.t('projects.field.period'), `${p.startsOn} — ${p.endsOn}`],
          [req.t('projects.col.cohort'), String(r.cohort.cohort)],
          [req.t('projects.book.rule'), req.t('projects.rule')],
        ] as [string, string][],
      }
      const file = await workbook(
        cover,
        tables(r, req.t, (code) => names[code] ?? code),
      )
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          attachment(`${req.t('projects.book.file')}-${p.name}.xlsx`, `assetbridge-project-${p.id}.xlsx`),
        )
        .send(file)
    },
  )

  app.post(
    '/projects/:id/groups',
    { config: { access: 'staff' }, schema: { params: idParam, body: GroupBody }, attachValidation: true },
    async (req, reply) => {
      const r = found(req, req.params.id)
      const b = req.body
      if (req.validationError) return reply.flash('projects.choose_group').redirect(`/projects/${r.project.id}`, 303)
      projects.addGroup(app.db, signedIn(req), r.project.id, Number(b.orgId), Number(b.version))
      reply.flash('projects.group_added')
      return redirectAfterPost(req, reply, `/projects/${r.project.id}`)
    },
  )

  app.post(
    '/projects/:id/groups/:orgId/leave',
    { config: { access: 'staff' }, schema: { params: GroupParams, body: LeaveBody }, attachValidation: true },
    async (req, reply) => {
      const r = found(req, req.params.id)
      if (req.validationError) throw new NotFound()
      projects.removeGroup(app.db, signedIn(req), r.project.id, req.params.orgId, Number(req.body.version))
      reply.flash('projects.group_left')
      return redirectAfterPost(req, reply, `/projects/${r.project.id}`)
    },
  )

  app.post(
    '/projects/:id/consent',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ConsentBody }, attachValidation: true },
    async (req, reply) => {
      const r = found(req, req.params.id)
      if (req.validationError) throw new NotFound()
      const b = req.body
      projects.setConsent(app.db, signedIn(req), r.project.id, Number(b.orgId), b.consent === 'yes')
      reply.flash(b.consent === 'yes' ? 'projects.consent_given' : 'projects.consent_withdrawn')
      return redirectAfterPost(req, reply, `/projects/${r.project.id}`)
    },
  )
}

export default projectsRoutes
