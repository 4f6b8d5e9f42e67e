import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { organizations } from '../db/schema.js'
import * as accounts from '../accounts/accounts.js'
import * as capacity from './capacity.js'
import { INDICATOR_CODES, type IndicatorCode, type Scores } from './indicators.js'
import { localToday } from '../shared/time.js'

const DAY = 86_400_000

/** Scores in the framework's order: resource integration ×3, specialization ×3, public service ×3, sustainability ×3. */
const scores = (...values: number[]): Scores => Object.fromEntries(INDICATOR_CODES.map((c, i) => [c, values[i]]))

interface Sample {
  org: string
  participants: string
  visits: { daysAgo: number; scores: Scores; note: string; notes?: Partial<Record<IndicatorCode, string>> }[]
}

// Three community groups the demo social worker (陈社工) has followed for half a year: each grew, unevenly, and the
// dance team's middle visit lets the comparison form choose between three dates.
const SAMPLES: Sample[] = [
  {
    org: 'org-dance',
    participants: '张阿姨（队长）、两名骨干队员',
    visits: [
      {
        daysAgo: 180,
        scores: scores(2, 1, 3, 1, 2, 1, 3, 2, 3, 1, 1, 3),
        note: '队伍热情高，但场地全靠临时借用，没有任何制度和记录。',
        notes: { governance: '没有队规，排练时间靠微信群临时通知。', funding: '服装、音响都是队员自掏腰包。' },
      },
      { daysAgo: 95, scores: scores(3, 2, 3, 2, 2, 2, 3, 3, 3, 2, 1, 3), note: '订了简单的队规，开始签到。' },
      {
        daysAgo: 7,
        scores: scores(4, 3, 4, 3, 3, 3, 4, 4, 4, 2, 2, 4),
        note: '通过平台借到室内排练场地，参加了区里的比赛；还需培养接班的领队。',
        notes: { mobilization: '自己在平台上发需求，借到居委会活动室。', succession: '仍主要靠张阿姨一人。' },
      },
    ],
  },
  {
    org: 'org-elder-help',
    participants: '互助队负责人、一名探访志愿者',
    visits: [
      { daysAgo: 170, scores: scores(1, 2, 2, 1, 2, 1, 2, 3, 3, 1, 1, 2), note: '结对探访靠口头约定，志愿者流失多。' },
      {
        daysAgo: 10,
        scores: scores(3, 3, 3, 2, 3, 3, 3, 3, 4, 2, 2, 3),
        note: '建立了探访登记表，志愿者参加了陪诊培训。',
        notes: { skills: '四名志愿者完成陪诊培训。' },
      },
    ],
  },
  {
    org: 'org-disability',
    participants: '小组组长、两位家属代表',
    visits: [
      { daysAgo: 160, scores: scores(2, 2, 2, 2, 1, 2, 2, 2, 3, 2, 1, 3), note: '康复训练时间不固定，缺少专业指导。' },
      {
        daysAgo: 14,
        scores: scores(3, 3, 3, 3, 3, 2, 3, 3, 4, 2, 2, 4),
        note: '与社工机构合作开了手工坊，开始申请基金会小额资助。',
      },
    ],
  },
]

/** Before-and-after assessments of a few demo groups, recorded by the demo broker through the service as a person would. */
export function sampleAssessments(db: Db, now: Date) {
  const found = accounts.findByEmail(db, 'broker@demo.assetbridge.cn')
  if (!found) return
  const broker = accounts.load(db, found.id)!
  for (const sample of SAMPLES) {
    const org = db.select({ id: organizations.id }).from(organizations).where(eq(organizations.ref, sample.org)).get()
    if (!org) continue
    for (const visit of sample.visits) {
      const at = new Date(now.getTime() - visit.daysAgo * DAY)
      capacity.record(
        db,
        broker,
        org.id,
        {
          assessedOn: localToday(at),
          scores: visit.scores,
          notes: visit.notes,
          note: visit.note,
          participants: sample.participants,
          withLeader: true,
        },
        at,
      )
    }
  }
}
