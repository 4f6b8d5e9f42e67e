import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { organizations } from '../db/schema.js'
import * as accounts from '../accounts/accounts.js'
import { addDays, localToday } from '../shared/time.js'
import * as calls from './calls.js'
import * as applications from './applications.js'
import * as plan from './plan.js'

/**
 * The demo district's open call: 东湖街道's 2027 micro-venture fund, with the social worker and the bakery's manager
 * (as residents' representative) on its panel, and two of the street's groups' plans submitted, waiting for review.
 * Made through the services, as people would.
 */
export function sampleCall(db: Db, now: Date) {
  const user = (email: string) => accounts.load(db, accounts.findByEmail(db, email)!.id)!
  const org = (ref: string) =>
    db
      .select({ id: organizations.id, areaId: organizations.areaId })
      .from(organizations)
      .where(eq(organizations.ref, ref))
      .get()!
  const office = org('org-dh-office')
  const call = calls.create(
    db,
    user('admin@demo.assetbridge.cn'),
    {
      holderOrgId: office.id,
      areaId: office.areaId,
      title: '东湖街道 2027 年社区微创投',
      description:
        '支持东湖街道的社区团体开展服务居民的小项目。每个项目最多 5000 元，可部分资助（不少于 2000 元）；未登记的社区团体优先，预留 5000 元。',
      budgetFen: 2_000_000,
      capFen: 500_000,
      minAwardFen: 200_000,
      preference: 'unregistered',
      reserveFen: 500_000,
      budgetTemplate: ['场地', '物资', '交通', '宣传', '志愿者补贴'],
      applicationsClose: localToday(addDays(now, 21)),
      reviewClose: localToday(addDays(now, 35)),
      reviewers: [{ email: 'broker@demo.assetbridge.cn' }, { email: 'holder@demo.assetbridge.cn', resident: true }],
    },
    { publish: true },
    now,
  )
  const leader = user('leader@demo.assetbridge.cn')
  const apply = (ref: string, input: Omit<plan.ApplicationInput, 'orgId'>) =>
    applications.create(db, leader, call.id, { ...input, orgId: org(ref).id }, { submit: true }, now)
  apply('org-dance', {
    title: '长者广场舞进社区',
    activity: '每周三晚在荔枝湾公园教新学员跳舞，年底在社区晚会上汇报演出。',
    beneficiaries: '荔枝湾社区的长者',
    residentsPlanned: 60,
    lines: [
      { item: '音响', askedFen: 180_000, ownFen: 20_000 },
      { item: '服装', askedFen: 150_000, ownFen: 50_000 },
      { item: '宣传', askedFen: 20_000, ownFen: 0 },
    ],
    milestones: [
      { title: '开班', dueOn: localToday(addDays(now, 60)), sharePct: 50 },
      { title: '汇报演出', dueOn: localToday(addDays(now, 150)), sharePct: 50 },
    ],
  })
  apply('org-elder-help', {
    title: '独居长者结对探访',
    activity: '低龄长者两人一组，每周探访独居高龄老人，帮忙买菜、陪诊。',
    beneficiaries: '东湖社区的独居高龄老人',
    residentsPlanned: 25,
    lines: [
      { item: '交通', askedFen: 120_000, ownFen: 0 },
      { item: '物资', askedFen: 100_000, ownFen: 30_000 },
      { item: '志愿者补贴', askedFen: 80_000, ownFen: 0 },
    ],
    milestones: [
      { title: '结对完成', dueOn: localToday(addDays(now, 45)), sharePct: 40 },
      { title: '探访满三个月', dueOn: localToday(addDays(now, 135)), sharePct: 60 },
    ],
  })
  return call
}
