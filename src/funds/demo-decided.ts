import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import {
  fundApplications,
  fundAwards,
  fundBudgetLines,
  fundCalls,
  fundCriteria,
  fundDecisions,
  fundMilestones,
  fundReviewers,
  fundReviews,
  fundScores,
  organizations,
} from '../db/schema.js'
import * as accounts from '../accounts/accounts.js'
import { localToday } from '../shared/time.js'
import * as notice from './notice.js'
import * as reporting from './reporting.js'

const DAY = 86_400_000
const CRITERIA = ['需求依据', '居民参与', '可行性', '预算合理', '可持续性']

interface Plan {
  org: string
  title: string
  activity: string
  residents: number
  lines: [string, number, number][]
  milestones: [string, number, number][]
  scores: number[]
}

// Two awarded plans and one the budget could not reach; the dance team's second milestone is past its date unreported.
const PLANS: Plan[] = [
  {
    org: 'org-elder-help',
    title: '长者结对探访与陪诊',
    activity: '低龄长者与独居高龄老人结对，每周探访，陪同就医。',
    residents: 60,
    lines: [
      ['志愿者培训', 300_000, 0],
      ['交通与陪诊补贴', 500_000, 50_000],
      ['探访物资', 200_000, 30_000],
    ],
    milestones: [
      ['招募并培训结对志愿者', -20, 50],
      ['结项', 60, 50],
    ],
    scores: [5, 5, 4, 4, 4],
  },
  {
    org: 'org-dance',
    title: '广场舞进社区公益演出',
    activity: '排练三支新舞，在四个社区各演出一场，邀请独居长者观看。',
    residents: 400,
    lines: [
      ['服装与道具', 450_000, 100_000],
      ['音响租用', 200_000, 0],
      ['宣传印刷', 150_000, 0],
    ],
    milestones: [
      ['启动与排练', -35, 30],
      ['社区演出', -5, 30],
      ['总结与结项', 45, 40],
    ],
    scores: [4, 4, 4, 4, 4],
  },
  {
    org: 'org-parents',
    title: '周末绘本故事会',
    activity: '每周六上午在社区活动室为孩子讲绘本。',
    residents: 80,
    lines: [
      ['绘本采购', 400_000, 0],
      ['活动物资', 200_000, 20_000],
    ],
    milestones: [['开展故事会', 30, 100]],
    scores: [4, 3, 4, 3, 4],
  },
]

/**
 * A decided and announced call of the street office, its objection period over: two awards, one milestone report
 * approved (its tranche released) for each, and the dance team's second milestone late. The call, applications,
 * panel and decision are rows as F's services write them; the notice and delivery go through their services.
 */
export function sampleFundCall(db: Db, now: Date) {
  const at = (days: number) => new Date(now.getTime() + days * DAY)
  const iso = (days: number) => at(days).toISOString()
  const org = (ref: string) =>
    db.select({ id: organizations.id }).from(organizations).where(eq(organizations.ref, ref)).get()!.id
  const user = (email: string) => accounts.load(db, accounts.findByEmail(db, email)!.id)!
  const holder = user('admin@demo.assetbridge.cn')
  const broker = user('broker@demo.assetbridge.cn')
  const leader = user('leader@demo.assetbridge.cn')
  const area = db
    .select({ areaId: organizations.areaId })
    .from(organizations)
    .where(eq(organizations.ref, 'org-dh-office'))
    .get()!.areaId
  const call = db
    .insert(fundCalls)
    .values({
      holderOrgId: org('org-dh-office'),
      areaId: area,
      title: '东湖街道2026年社区微创投（第一期）',
      description: '支持辖区社区团体开展为老、亲子和文化活动。',
      budgetFen: 2_000_000,
      capFen: 1_000_000,
      budgetTemplate: ['场地与物资', '培训', '宣传印刷'],
      applicationsClose: localToday(at(-70)),
      reviewClose: localToday(at(-55)),
      publishedAt: iso(-100),
      createdBy: holder.id,
      createdAt: iso(-100),
      updatedAt: iso(-50),
    })
    .returning()
    .get()
  const criteria = CRITERIA.map((name, i) =>
    db
      .insert(fundCriteria)
      .values({ callId: call.id, position: i + 1, name, weight: 20 })
      .returning()
      .get(),
  )
  db.insert(fundReviewers)
    .values({ callId: call.id, userId: broker.id, resident: false, addedAt: iso(-100) })
    .run()
  const applied = PLANS.map((p) => {
    const asked = p.lines.reduce((s, l) => s + l[1], 0)
    const a = db
      .insert(fundApplications)
      .values({
        callId: call.id,
        orgId: org(p.org),
        title: p.title,
        activity: p.activity,
        beneficiaries: '社区居民',
        residentsPlanned: p.residents,
        askedFen: asked,
        ownFen: p.lines.reduce((s, l) => s + l[2], 0),
        status: 'submitted',
        submittedAt: iso(-75),
        createdBy: leader.id,
        createdAt: iso(-85),
        updatedAt: iso(-75),
      })
      .returning()
      .get()
    p.lines.forEach(([item, askedFen, ownFen], i) =>
      db
        .insert(fundBudgetLines)
        .values({ applicationId: a.id, position: i + 1, item, askedFen, ownFen })
        .run(),
    )
    const milestones = p.milestones.map(([title, due, sharePct], i) =>
      db
        .insert(fundMilestones)
        .values({ applicationId: a.id, position: i + 1, title, dueOn: localToday(at(due)), sharePct })
        .returning()
        .get(),
    )
    const review = db
      .insert(fundReviews)
      .values({ applicationId: a.id, reviewerId: broker.id, note: '', submittedAt: iso(-60) })
      .returning()
      .get()
    p.scores.forEach((score, i) =>
      db.insert(fundScores).values({ reviewId: review.id, criterionId: criteria[i].id, score }).run(),
    )
    return { plan: p, application: a, milestones, score: p.scores.reduce((s, x) => s + x * 20, 0) / 100 }
  })
  const [elder, dance, parents] = applied
  const decision = db
    .insert(fundDecisions)
    .values({
      callId: call.id,
      problem: { budgetFen: call.budgetFen, capFen: call.capFen, minAwardFen: null, reserveFen: 0 },
      notAwarded: [{ application: parents.application.id, reason: 'budget' }],
      totalFen: elder.application.askedFen + dance.application.askedFen,
      decidedBy: holder.id,
      decidedAt: iso(-50),
    })
    .returning()
    .get()
  const awards = [elder, dance].map((x) =>
    db
      .insert(fundAwards)
      .values({
        decisionId: decision.id,
        callId: call.id,
        applicationId: x.application.id,
        orgId: x.application.orgId,
        amountFen: x.application.askedFen,
        score: x.score,
      })
      .returning()
      .get(),
  )
  notice.announce(db, holder, call.id, { days: 7 }, at(-48))
  const first = (
    award: (typeof awards)[number],
    x: (typeof applied)[number],
    reported: number,
    done: string,
    residents: number,
  ) => {
    const report = reporting.submit(
      db,
      accounts.load(db, leader.id)!,
      award.id,
      {
        milestoneId: x.milestones[0].id,
        done,
        residentsReached: residents,
        spending: Object.fromEntries(
          db
            .select({ id: fundBudgetLines.id, asked: fundBudgetLines.askedFen })
            .from(fundBudgetLines)
            .where(eq(fundBudgetLines.applicationId, x.application.id))
            .all()
            .map((l) => [l.id, Math.floor(l.asked / 3)]),
        ),
      },
      at(reported),
    )
    reporting.decide(db, broker, report.id, { approve: true }, at(reported + 3))
  }
  first(awards[0], elder, -22, '招募结对志愿者 24 名，完成两次培训。', 30)
  first(awards[1], dance, -37, '排练了三支新舞，队员 35 人全部参加。', 35)
  return { callId: call.id, awardIds: awards.map((a) => a.id) }
}
