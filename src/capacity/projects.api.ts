import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import type { Db } from '../db/client.js'
import { signedIn } from '../plugins/auth.js'
import * as capacity from './capacity.js'
import * as projects from './projects.js'
import * as projectReport from './project-report.js'
import * as areaService from '../areas/areas.js'
import { INDICATOR_CODES, NOTE_MAX, OVERALL_NOTE_MAX, PARTICIPANTS_MAX, type IndicatorCode } from './indicators.js'
import { bool, date, fields, idParam, int, str, text } from '../shared/forms.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { count, nullable, Refusal } from '../shared/json.js'
import { apiFieldNames } from '../shared/http.js'

const id32 = int(1, 2_147_483_647)
const closed = { additionalProperties: false }
const ProjectBody = fields(
  {
    name: str(projects.NAME_MAX, 2),
    funder: str(projects.FUNDER_MAX),
    description: text(projects.DESCRIPTION_MAX),
    // The area by id, or by the ref the ledger gave it.
    area_id: id32,
    area: str(60, 1),
    from: date,
    to: date,
    groups: Type.Array(id32, { maxItems: projects.COHORT_MAX }),
  },
  ['name', 'from', 'to', 'groups'],
  closed,
)
const perIndicator = <S extends object>(leaf: S) =>
  Object.fromEntries(INDICATOR_CODES.map((c) => [c, leaf])) as Record<IndicatorCode, S>
const AssessmentBody = fields(
  {
    assessed_on: date,
    scores: fields(perIndicator(int(1, 5)), INDICATOR_CODES, closed),
    notes: fields(perIndicator(text(NOTE_MAX)), [], closed),
    note: text(OVERALL_NOTE_MAX),
    participants: text(PARTICIPANTS_MAX),
    with_leader: bool(),
  },
  ['assessed_on', 'scores'],
  closed,
)

// Response schemas, field for field (src/shared/json.ts says why). Figures are means and shares: numbers, null
// while there is nothing to average.
const orNull = nullable(Type.String())
const AssessmentJson = Type.Object({
  id: count,
  org: count,
  assessed_on: Type.String(),
  with_leader: Type.Boolean(),
  participants: Type.String(),
  note: Type.String(),
  assessor: Type.String(),
  scores: Type.Record(Type.String(), Type.Number()),
  notes: Type.Record(Type.String(), Type.String()),
  dimensions: Type.Record(Type.String(), nullable(Type.Number())),
  overall: nullable(Type.Number()),
  version: count,
})
const figure = {
  baseline_mean: nullable(Type.Number()),
  endline_mean: nullable(Type.Number()),
  paired_change: nullable(Type.Number()),
  improved_share: nullable(Type.Number()),
  groups_with_baseline: count,
  groups_with_endline: count,
  groups_paired: count,
  groups_missing_endline: count,
}
const dated = nullable(Type.Object({ id: count, assessed_on: Type.String() }))
const ProjectJson = Type.Object({
  id: count,
  name: Type.String(),
  funder: Type.String(),
  description: Type.String(),
  area: Type.Object({ id: count, ref: orNull, name: Type.String() }),
  from: Type.String(),
  to: Type.String(),
  version: count,
  access: Type.String(),
  cohort: count,
  dimensions: Type.Array(
    Type.Object({
      code: Type.String(),
      ...figure,
      indicators: Type.Array(Type.Object({ code: Type.String(), ...figure })),
    }),
  ),
  groups_missing_baseline: count,
  groups_missing_endline: count,
  groups_left: count,
  groups: Type.Array(
    Type.Object({
      id: count,
      name: Type.String(),
      left: Type.Boolean(),
      consent: Type.Boolean(),
      baseline: dated,
      endline: dated,
    }),
  ),
  assets: Type.Object({
    holders_newly_linked: count,
    partnerships: count,
    funds_received: Type.Number(),
    volunteer_hours: Type.Number(),
    tasks_done: count,
    delivered: Type.Array(
      Type.Object({ category: Type.String(), unit: Type.String(), matches: count, quantity: Type.Number() }),
    ),
    awards: count,
    award_released_fen: count,
  }),
})
const ProjectsJson = Type.Object({
  items: Type.Array(
    Type.Object({
      id: count,
      name: Type.String(),
      funder: Type.String(),
      area: count,
      from: Type.String(),
      to: Type.String(),
      cohort: count,
    }),
  ),
})

const assessmentJson = (a: capacity.Assessment) => ({
  id: a.id,
  org: a.orgId,
  assessed_on: a.assessedOn,
  with_leader: a.withLeader,
  participants: a.participants,
  note: a.note,
  assessor: a.assessorName,
  scores: a.scores,
  notes: a.notes,
  dimensions: a.dimensions,
  overall: a.overall,
  version: a.version,
})

const figureJson = (
  f: Omit<projectReport.ProjectReport['cohort']['dimensions'][number], 'code' | 'indicators'>,
  cohort: number,
) => ({
  baseline_mean: f.baselineMean,
  endline_mean: f.endlineMean,
  paired_change: f.pairedChange,
  improved_share: f.improvedShare,
  groups_with_baseline: f.withBaseline,
  groups_with_endline: f.withEndline,
  groups_paired: f.paired,
  groups_missing_endline: cohort - f.withEndline,
})

export function projectJson(r: projectReport.ProjectReport) {
  const p = r.project
  const n = r.cohort.cohort
  return {
    id: p.id,
    name: p.name,
    funder: p.funder,
    description: p.description,
    area: { id: p.areaId, ref: p.areaRef, name: p.areaName },
    from: p.startsOn,
    to: p.endsOn,
    version: p.version,
    access: r.access,
    cohort: n,
    dimensions: r.cohort.dimensions.map((d) => ({
      code: d.code,
      ...figureJson(d, n),
      indicators: d.indicators.map((i) => ({ code: i.code, ...figureJson(i, n) })),
    })),
    groups_missing_baseline: r.cohort.missingBaseline.length,
    groups_missing_endline: r.cohort.missingEndline.length,
    groups_left: r.cohort.left.length,
    // Only the lines this caller may see (a street office: groups that consented).
    groups: r.groups
      .filter((g) => g.shown)
      .map((g) => ({
        id: g.orgId,
        name: g.name,
        left: g.left,
        consent: g.consent,
        baseline: g.baseline ? { id: g.baseline.id, assessed_on: g.baseline.assessedOn } : null,
        endline: g.endline ? { id: g.endline.id, assessed_on: g.endline.assessedOn } : null,
      })),
    assets: {
      holders_newly_linked: r.assets.holdersNewlyLinked,
      partnerships: r.assets.partnerships,
      funds_received: r.assets.fundsReceived,
      volunteer_hours: r.assets.volunteerHours,
      tasks_done: r.assets.tasksDone,
      delivered: r.assets.delivered,
      awards: r.assets.awards,
      award_released_fen: r.assets.awardReleasedFen,
    },
  }
}

const projectsJson = (list: ReturnType<typeof projects.list>) => ({
  items: list.map((p) => ({
    id: p.id,
    name: p.name,
    funder: p.funder,
    area: p.areaId,
    from: p.startsOn,
    to: p.endsOn,
    cohort: p.cohort,
  })),
})

/** The area named by id or by ref; none named is a refused field. */
function projectArea(db: Db, b: Static<typeof ProjectBody>): number {
  const areaId = b.area_id ?? (b.area ? areaService.byRef(db, b.area)?.id : undefined)
  if (areaId === undefined) throw new ValidationError({ area_id: { key: 'validation.area_missing' } })
  return areaId
}
const projectInput = (b: Static<typeof ProjectBody>, areaId: number) => ({
  name: b.name,
  funder: b.funder,
  description: b.description,
  areaId,
  startsOn: b.from,
  endsOn: b.to,
  orgIds: b.groups,
})
const PROJECT_FIELDS: Record<string, string> = { areaId: 'area_id', startsOn: 'from', endsOn: 'to', orgIds: 'groups' }
const projectField = (f: string) => PROJECT_FIELDS[f] ?? f

const assessmentInput = (b: Static<typeof AssessmentBody>) => ({
  assessedOn: b.assessed_on,
  scores: b.scores,
  notes: b.notes,
  note: b.note,
  participants: b.participants,
  withLeader: b.with_leader,
})
const assessmentField = (f: string) => (f === 'assessedOn' ? 'assessed_on' : f.replace(/^score_/, 'scores.'))

/** Projects and capacity assessments, with the web's rights: what a user may not see is not found. */
const projectsApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/projects',
    { config: { access: 'signed_in' }, schema: { response: { 200: ProjectsJson, '4xx': Refusal } } },
    async (req) => projectsJson(projects.list(app.db, signedIn(req))),
  )

  app.post(
    '/api/v1/projects',
    { config: { access: 'signed_in' }, schema: { body: ProjectBody, response: { 201: ProjectJson, '4xx': Refusal } } },
    async (req, reply) => {
      const input = projectInput(req.body, projectArea(app.db, req.body))
      const p = apiFieldNames(projectField, () => projects.create(app.db, signedIn(req), input))
      return reply.code(201).send(projectJson(projectReport.report(app.db, signedIn(req), p.id)!))
    },
  )

  app.get(
    '/api/v1/projects/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, response: { 200: ProjectJson, '4xx': Refusal } } },
    async (req) => {
      const r = projectReport.report(app.db, signedIn(req), req.params.id)
      if (!r) throw new NotFound()
      return projectJson(r)
    },
  )

  app.get(
    '/api/v1/orgs/:id/assessments',
    {
      config: { access: 'signed_in' },
      schema: {
        params: idParam,
        response: { 200: Type.Object({ items: Type.Array(AssessmentJson) }), '4xx': Refusal },
      },
    },
    async (req) => {
      const orgId = req.params.id
      const section = capacity.section(app.db, signedIn(req), orgId)
      if (!section) throw new NotFound()
      return { items: capacity.listForOrg(app.db, orgId).map(assessmentJson) }
    },
  )

  app.post(
    '/api/v1/orgs/:id/assessments',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: AssessmentBody, response: { 201: AssessmentJson, '4xx': Refusal } },
    },
    async (req, reply) => {
      const orgId = req.params.id
      if (!capacity.section(app.db, signedIn(req), orgId)) throw new NotFound()
      const input = assessmentInput(req.body)
      const a = apiFieldNames(assessmentField, () => capacity.record(app.db, signedIn(req), orgId, input))
      return reply.code(201).send(assessmentJson(a))
    },
  )
}

export default projectsApi
