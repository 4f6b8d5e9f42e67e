/**
 * How two listings of one category relate by subject (feasibility.ts's topic constraint): a topic in common, or,
 * when a side has none, enough shared keywords (the relevance floor). topics.ts says what a listing is about; this
 * says whether two of them are about the same thing.
 */
import type { Subject } from './topics.js'

/**
 * How two listings of one category relate by subject: 'same' (a topic in common, or a fund with no stated
 * purpose), 'other' (both have topics, none shared), or, when a side has none, 'related' / 'unclear' by the
 * relevance floor on their keywords.
 */
export type TopicRelation = 'same' | 'other' | 'related' | 'unclear'

/**
 * The keyword relevance at which two listings without a common topic are taken to be about the same thing.
 * Tuned on pairs of the labelled fixtures (test/fixtures/topics) with their topics hidden: keywords alone are
 * weak evidence (over the shorter list, any floor gave 'related' pairs only 20–35% on one topic), so the
 * measure is over the longer list and the floor is half: 5 of 7,777 pairs pass, 3 of them on one topic. The
 * rest stay 'unclear', and why-not asks the poster to pick a topic, which is the reliable fix.
 */
export const RELEVANCE_FLOOR = 0.5

/** Shared keywords over the longer list's length, 0..1; 0 when either side has none. */
export function keywordRelevance(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0
  const left = keywordSet(a)
  const right = keywordSet(b)
  const [few, many] = left.size <= right.size ? [left, right] : [right, left]
  let shared = 0
  for (const k of few) if (many.has(k)) shared++
  return shared / Math.max(left.size, right.size)
}

// A match page relates one listing to hundreds: the views' keyword lists are frozen and shared (subject.ts), so
// each list's set is made once. An unfrozen list may still change, so its set is made afresh.
const keywordSets = new WeakMap<readonly string[], ReadonlySet<string>>()
function keywordSet(list: readonly string[]): ReadonlySet<string> {
  if (!Object.isFrozen(list)) return new Set(list)
  let set = keywordSets.get(list)
  if (!set) keywordSets.set(list, (set = new Set(list)))
  return set
}

/**
 * Stand-ins that say only whether a side has topics: given the pair's relevance, relate() reads no more of a side that
 * has none, or of either side when one has none, so callers holding that in columns need not load the listing.
 */
export const NO_TOPICS: Subject = { topics: [], keywords: [] }
export const SOME_TOPICS: Subject = { topics: ['\u0000'], keywords: [] }

/** `relevance`: the pair's keywordRelevance when the caller has it already (pairs.ts counts it on numbered words). */
export function relate(category: string, need: Subject, offer: Subject, relevance?: number): TopicRelation {
  if (category === 'funds' && offer.topics.length === 0) return 'same'
  if (need.topics.length > 0 && offer.topics.length > 0)
    return need.topics.some((t) => offer.topics.includes(t)) ? 'same' : 'other'
  return (relevance ?? keywordRelevance(need.keywords, offer.keywords)) >= RELEVANCE_FLOOR ? 'related' : 'unclear'
}

/** 'same' and 'related' fit; 'other' and 'unclear' do not. */
export const fitsBySubject = (r: TopicRelation): boolean => r === 'same' || r === 'related'
