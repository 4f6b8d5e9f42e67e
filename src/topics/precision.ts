/**
 * The matcher's precision measured on real use: per category and topic, how many pairs were put to people
 * (matches, whoever proposed them) and how many of those people declined as "not relevant"; beside them, the
 * allocation rows a broker unticked as not relevant (not matches, so counted apart).
 */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { fitFeedback, matches, needs, offers } from '../db/schema.js'

export interface Figures {
  suggested: number
  declined: number
  unticked: number
  precision: number | null
}
export interface TopicFigures extends Figures {
  topic: string | null
}
export interface CategoryFigures extends Figures {
  category: string
  topics: TopicFigures[]
}

interface Pair {
  needId: number
  offerId: number
  category: string
  topics: readonly string[]
}
interface Judgement extends Pair {
  source: 'decline' | 'allocation'
}

const key = (p: { needId: number; offerId: number }) => `${p.needId}:${p.offerId}`
const empty = (): Omit<Figures, 'precision'> => ({ suggested: 0, declined: 0, unticked: 0 })
const withPrecision = <T extends Omit<Figures, 'precision'>>(f: T): T & Figures => ({
  ...f,
  precision: f.suggested > 0 ? (f.suggested - Math.min(f.declined, f.suggested)) / f.suggested : null,
})

/**
 * Pure: pairs put to people and people's judgements → figures per category, and per topic inside it (a pair
 * about two topics counts under each; a pair with none under `null`). A pair counts once however many matches
 * it had; a decline counts only for a pair that was suggested.
 */
export function tally(suggested: readonly Pair[], judged: readonly Judgement[]): CategoryFigures[] {
  const pairs = new Map<string, Pair>()
  for (const p of suggested) if (!pairs.has(key(p))) pairs.set(key(p), p)
  const byCategory = new Map<
    string,
    { total: Omit<Figures, 'precision'>; topics: Map<string | null, Omit<Figures, 'precision'>> }
  >()
  const bucket = (category: string, topic: string | null) => {
    const c = byCategory.get(category) ?? byCategory.set(category, { total: empty(), topics: new Map() }).get(category)!
    return { total: c.total, topic: c.topics.get(topic) ?? c.topics.set(topic, empty()).get(topic)! }
  }
  const count = (p: Pair, field: keyof Omit<Figures, 'precision'>) => {
    const topics = p.topics.length ? [...new Set(p.topics)] : [null]
    bucket(p.category, topics[0]!).total[field]++
    for (const t of topics) bucket(p.category, t).topic[field]++
  }
  for (const p of pairs.values()) count(p, 'suggested')
  const seen = new Set<string>()
  for (const j of judged) {
    const k = `${key(j)}:${j.source}`
    if (seen.has(k)) continue
    seen.add(k)
    if (j.source === 'decline') {
      // Under the same topics as its suggestion, so a topic never shows more declines than suggestions.
      const pair = pairs.get(key(j))
      if (pair) count(pair, 'declined')
    } else count(j, 'unticked')
  }
  return [...byCategory]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, c]) => ({
      category,
      ...withPrecision(c.total),
      topics: [...c.topics]
        .map(([topic, f]) => ({ topic, ...withPrecision(f) }))
        .sort(
          (a, b) =>
            b.suggested - a.suggested || b.declined - a.declined || String(a.topic).localeCompare(String(b.topic)),
        ),
    }))
}

/** Every pair ever put to people and every "not relevant" said, read in two queries. */
export function precisionFigures(db: Db): CategoryFigures[] {
  const suggested = db
    .select({
      needId: matches.needId,
      offerId: matches.offerId,
      category: needs.category,
      needTopics: needs.topics,
      offerTopics: offers.topics,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .groupBy(matches.needId, matches.offerId)
    .orderBy(sql`1`, sql`2`)
    .all()
    .map((r) => ({
      needId: r.needId,
      offerId: r.offerId,
      category: r.category,
      topics: [...new Set([...(r.needTopics ?? []), ...(r.offerTopics ?? [])])],
    }))
  const judged = db
    .select({
      needId: fitFeedback.needId,
      offerId: fitFeedback.offerId,
      category: fitFeedback.category,
      topics: fitFeedback.topics,
      source: fitFeedback.source,
    })
    .from(fitFeedback)
    .orderBy(fitFeedback.id)
    .all()
  return tally(suggested, judged)
}
