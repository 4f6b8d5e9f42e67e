import { organizations, ORG_KINDS, FOCUS_GROUPS, TRUST_LEVELS } from '../../src/db/schema.js'
import { areas } from '../../src/db/schema.js'
import type { Db } from '../../src/db/client.js'
import { demoAreas } from '../../src/demo/district.js'
import { pick, prng } from './database.js'

export type GeneratedOrg = Omit<typeof organizations.$inferInsert, 'id' | 'areaId'> & { areaRef: string }

/** A community organizations are placed in: its area's ref, and its name as a group's name starts with it. */
export type Place = { ref: string; name: string }
export const DEMO_PLACES: readonly Place[] = demoAreas
  .filter((a) => a.parent && a.ref.split('-').length === 3)
  .map((a) => ({ ref: a.ref, name: a.name.replace(/社区$/, '') }))
const ACTIVITIES = [
  '广场舞',
  '太极拳',
  '合唱',
  '粤剧',
  '书法',
  '象棋',
  '读书',
  '亲子阅读',
  '手工',
  '园艺',
  '垃圾分类',
  '长者探访',
  '义剪',
  '篮球',
  '羽毛球',
  '摄影',
  '烘焙',
  '编织',
  '英语角',
  '法律咨询',
]
const SUFFIXES = ['队', '会', '小组', '社', '互助队', '志愿队', '兴趣小组', '协会']
const DESCRIPTIONS = [
  '每周活动两次，成员多为附近居民，欢迎新朋友加入。',
  '需要固定的活动场地和一些基本器材，也愿意为社区活动出力。',
  '由退休居民自发组织，定期在社区广场和活动室开展活动。',
  '希望和附近的学校、企业合作，一起办社区节日活动。',
]

/**
 * `n` organizations spread over the communities `places` (the demo district's by default), deterministic for a seed.
 * Mostly unregistered community groups, as in a real district; every field the list page shows is filled.
 */
export function generateOrgs(n: number, seed = 1, places: readonly Place[] = DEMO_PLACES): GeneratedOrg[] {
  const rand = prng(seed)
  const base = Date.UTC(2024, 0, 1)
  return Array.from({ length: n }, (_, i) => {
    const place = pick(rand, places)
    const kind = rand() < 0.6 ? 'community_group' : pick(rand, ORG_KINDS)
    const focus = [...new Set([pick(rand, FOCUS_GROUPS), pick(rand, FOCUS_GROUPS)])]
    const at = new Date(base + i * 3_600_000).toISOString()
    return {
      ref: `bench-org-${i + 1}`,
      name: `${place.name}${pick(rand, ACTIVITIES)}${pick(rand, SUFFIXES)}${i + 1}`,
      kind,
      areaRef: place.ref,
      registered: kind !== 'community_group' && rand() < 0.8,
      trust: pick(rand, TRUST_LEVELS),
      focus,
      members: 5 + Math.floor(rand() * 80),
      description: pick(rand, DESCRIPTIONS),
      contactPhone: `139${String(10_000_000 + i).slice(-8)}`,
      contactEmail: null,
      createdAt: at,
      updatedAt: at,
    }
  })
}

/** Inserts generated organizations straight through drizzle, in one transaction: 1,000 rows take milliseconds. */
export function insertOrgs(db: Db, orgs: GeneratedOrg[]) {
  const areaIds = new Map(
    db
      .select({ id: areas.id, ref: areas.ref })
      .from(areas)
      .all()
      .map((a) => [a.ref, a.id]),
  )
  db.transaction((tx) => {
    for (const { areaRef, ...org } of orgs) {
      const areaId = areaIds.get(areaRef)
      if (!areaId) throw new Error(`no area ${areaRef}: seed the demo district first`)
      tx.insert(organizations)
        .values({ ...org, areaId })
        .run()
    }
  })
}
