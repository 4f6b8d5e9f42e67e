/**
 * The shell around the pure topic core (src/matching/topics.ts): the vocabulary as shipped plus admins'
 * additions, and the subject (topics + keywords) of a listing, computed when it is written and stored in its
 * row. Readers take the stored columns; nothing here runs per request on a page that lists or ranks.
 */
import { asc, eq, isNull, or, sql } from 'drizzle-orm'
import { connectionOf, writeTx, type Db } from '../db/client.js'
import { remember, type Versions } from '../db/memo.js'
import { needs, offers, topicTerms } from '../db/schema.js'
import {
  buildVocabulary,
  describe,
  type Subject,
  type Topic,
  type TopicTerm,
  type Vocabulary,
} from '../matching/topics.js'
import { TOPICS } from '../matching/vocabulary.js'
import { ValidationError, type FieldErrors } from '../shared/errors.js'
import * as events from '../events/events.js'
import { category as categoryOf } from '../listings/listings.js'

/**
 * The vocabulary: shipped topics plus topic_terms. Remembered per connection (db/memo.ts) until topic_terms changes,
 * whichever connection or process writes it, so an admin's new synonym counts at once, and so does a term edited or
 * replaced in place (a row count and last id, the stamp this used to keep, miss those). `seen`: versions a page read
 * already (memo.ts versions), which spare asking topic_terms' own.
 */
export function vocabulary(db: Db, seen?: Versions): Vocabulary {
  // A transaction reads the same vocabulary as its db.
  const conn = connectionOf(db)
  const build = () => buildVocabulary(TOPICS, additions(db))
  return conn ? remember(conn, 'topics.vocabulary', build, ['topic_terms'], seen) : build()
}

export function additions(db: Db): TopicTerm[] {
  return db
    .select({
      category: topicTerms.category,
      topic: topicTerms.topic,
      kind: topicTerms.kind,
      lang: topicTerms.lang,
      term: topicTerms.term,
    })
    .from(topicTerms)
    .orderBy(asc(topicTerms.id))
    .all()
}

/** The topics of one category, in the vocabulary's order. */
export function topicsOf(vocab: Vocabulary, category: string): Topic[] {
  return vocab.topics.filter((t) => t.category === category)
}

/** A topic's name in a language; an unknown code (a topic since removed from the data) shows as itself. */
export function topicName(vocab: Vocabulary, code: string, locale: string): string {
  const t = vocab.byCode.get(code)
  if (!t) return code
  return locale.startsWith('zh') ? t.zh : t.en
}

/** Codes in `codes` that are not topics of `category` (a ledger's or a form's typo, another category's topic). */
export function unknownTopics(vocab: Vocabulary, category: string, codes: readonly string[]): string[] {
  return codes.filter((c) => vocab.byCode.get(c)?.category !== category)
}

export interface StoredSubject {
  topics: string[]
  keywords: string[]
  topicsConfirmed: boolean
}

const unique = (xs: readonly string[]) => [...new Set(xs)]
const textOf = (title: string, description: string | null | undefined) => `${title}\n${description ?? ''}`

/**
 * What a listing being written is about: the poster's topics when they sent a list (each must be a topic of
 * the listing's category, else a ValidationError on `topics`; an empty list means none), otherwise the topics
 * inferred from its text; keywords always from the text.
 */
export function subjectFor(
  db: Db,
  category: string,
  title: string,
  description: string | null | undefined,
  confirmed?: readonly string[],
): StoredSubject {
  const vocab = vocabulary(db)
  const inferred = describe(vocab, category, textOf(title, description))
  if (confirmed) {
    const unknown = unknownTopics(vocab, category, confirmed)
    if (unknown.length)
      throw new ValidationError({ topics: { key: 'validation.topic_unknown', params: { topic: unknown.join(', ') } } })
    // None chosen is respected now, and left open to a later re-tag (a new synonym may recognize it).
    return { topics: unique(confirmed), keywords: [...inferred.keywords], topicsConfirmed: confirmed.length > 0 }
  }
  return { topics: unique(inferred.topics), keywords: [...inferred.keywords], topicsConfirmed: false }
}

/** Suggested topics for a form as the poster types: inference only, nothing stored. */
export function suggest(db: Db, category: string, title: string, description: string): Subject {
  return describe(vocabulary(db), category, textOf(title, description))
}

const TABLES = [needs, offers] as const
const CHUNK = 2000

/**
 * Tags listings whose topics or keywords are still null (rows written before topics existed, or by a
 * raw insert). Topics already there are kept; only the missing part is filled. Returns how many rows.
 */
export function tagUntagged(db: Db): number {
  return tag(db, true)
}

/**
 * Tags every listing again with the current vocabulary (after an admin's addition): keywords always, topics
 * unless the poster confirmed them. Returns how many rows changed.
 */
export function retagAll(db: Db): number {
  return tag(db, false)
}

function tag(db: Db, onlyUntagged: boolean): number {
  const vocab = vocabulary(db)
  let changed = 0
  for (const table of TABLES) {
    let after = 0
    for (;;) {
      // Chunks by id, each in its own transaction: a large district never holds the write lock for long.
      const rows = db
        .select({
          id: table.id,
          category: table.category,
          title: table.title,
          description: table.description,
          topics: table.topics,
          keywords: table.keywords,
          confirmed: table.topicsConfirmed,
        })
        .from(table)
        .where(
          onlyUntagged
            ? sql`${table.id} > ${after} AND (${or(isNull(table.topics), isNull(table.keywords))})`
            : sql`${table.id} > ${after}`,
        )
        .orderBy(asc(table.id))
        .limit(CHUNK)
        .all()
      if (rows.length === 0) break
      after = rows[rows.length - 1]!.id
      db.transaction((tx) => {
        for (const r of rows) {
          const s = describe(vocab, r.category, textOf(r.title, r.description))
          const topics = r.topics && (r.confirmed || onlyUntagged) ? r.topics : unique(s.topics)
          const keywords = [...s.keywords]
          if (r.topics && same(r.topics, topics) && r.keywords && same(r.keywords, keywords)) continue
          tx.update(table).set({ topics, keywords }).where(eq(table.id, r.id)).run()
          changed++
        }
      })
    }
  }
  return changed
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

// ---- admins extend the vocabulary -----------------------------------------------------------------

/** A code from an English name: 'Sound equipment' → 'sound_equipment'; a Chinese-only name gets a numbered one. */
function codeFor(vocab: Vocabulary, category: string, en: string): string {
  const base =
    en
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || `${category}_topic`
  let code = base
  for (let n = 2; vocab.byCode.has(code); n++) code = `${base}_${n}`
  return code
}

const sameWord = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

export interface NewTopic {
  category: string
  zh: string
  en: string
}

/**
 * A new topic of a category, named in both languages (two topic_terms rows), logged. A category that does not exist
 * is refused (the admin's select may be stale), and so is a name another topic of the category already has, so two
 * chips never read the same. Returns the new code.
 */
export function addTopic(db: Db, actorId: number, input: NewTopic, now = new Date()): string {
  if (!categoryOf(db, input.category)) throw new ValidationError({ category: { key: 'validation.choose' } })
  const vocab = vocabulary(db)
  const zh = input.zh.trim()
  const en = input.en.trim()
  const clash = topicsOf(vocab, input.category).find((t) =>
    [t.zh, t.en, ...t.synonyms].some((w) => sameWord(w, zh) || sameWord(w, en)),
  )
  if (clash)
    throw new ValidationError({
      [clash.zh === zh || clash.synonyms.some((w) => sameWord(w, zh)) ? 'zh' : 'en']: {
        key: 'topics.admin.taken',
        params: { topic: `${clash.zh} / ${clash.en}` },
      },
    })
  const code = codeFor(vocab, input.category, en)
  writeTx(db, (tx) => {
    const at = now.toISOString()
    tx.insert(topicTerms)
      .values([
        {
          category: input.category,
          topic: code,
          kind: 'topic',
          lang: 'zh',
          term: zh,
          createdBy: actorId,
          createdAt: at,
        },
        {
          category: input.category,
          topic: code,
          kind: 'topic',
          lang: 'en',
          term: en,
          createdBy: actorId,
          createdAt: at,
        },
      ])
      .run()
    events.record(
      tx,
      { actorId, action: 'topic.added', subjectType: 'topic', data: { category: input.category, code, zh, en } },
      now,
    )
  })
  return code
}

export interface NewSynonym {
  topic: string
  lang: 'zh' | 'en'
  term: string
}

/** Another word for an existing topic, logged; takes effect for inference at once (the cache's stamp moves). */
export function addSynonym(db: Db, actorId: number, input: NewSynonym, now = new Date()): void {
  const vocab = vocabulary(db)
  const topic = vocab.byCode.get(input.topic)
  if (!topic) throw new ValidationError({ topic: { key: 'validation.choose' } })
  const term = input.term.trim()
  const holder = topicsOf(vocab, topic.category).find((t) => [t.zh, t.en, ...t.synonyms].some((w) => sameWord(w, term)))
  if (holder)
    throw new ValidationError({ term: { key: 'topics.admin.taken', params: { topic: `${holder.zh} / ${holder.en}` } } })
  writeTx(db, (tx) => {
    tx.insert(topicTerms)
      .values({
        category: topic.category,
        topic: topic.code,
        kind: 'synonym',
        lang: input.lang,
        term,
        createdBy: actorId,
        createdAt: now.toISOString(),
      })
      .run()
    events.record(
      tx,
      {
        actorId,
        action: 'topic.synonym_added',
        subjectType: 'topic',
        data: { category: topic.category, code: topic.code, lang: input.lang, term },
      },
      now,
    )
  })
}

// ---- what people see ---------------------------------------------------------------------------

export interface Named {
  code: string
  name: string
}

/** Topic codes → `{ code, name }` in the reader's language (pages, chips, API JSON). */
export function namer(db: Db, locale: string): (codes: readonly string[] | null | undefined) => Named[] {
  return namerOf(vocabulary(db), locale)
}

/** namer for a page that holds the vocabulary already: each ask of it reads its version, a statement. */
export function namerOf(vocab: Vocabulary, locale: string): (codes: readonly string[] | null | undefined) => Named[] {
  return (codes) => (codes ?? []).map((code) => ({ code, name: topicName(vocab, code, locale) }))
}

/** A category's topics for a select, grouped by category when none is chosen. */
export function options(db: Db, locale: string): { category: string; topics: Named[] }[] {
  const vocab = vocabulary(db)
  const groups = new Map<string, Named[]>()
  for (const t of vocab.topics) {
    const list = groups.get(t.category) ?? groups.set(t.category, []).get(t.category)!
    list.push({ code: t.code, name: topicName(vocab, t.code, locale) })
  }
  return [...groups].map(([category, topics]) => ({ category, topics }))
}

/**
 * A listing's subject for its write, or undefined with a topic not of its category added to the form's other
 * problems (and nothing when the category itself is already wrong), so the poster sees every problem at once.
 */
export function subjectOrProblems(
  db: Db,
  listing: { category: string; title: string; description?: string },
  confirmed: readonly string[] | undefined,
  problems: FieldErrors,
) {
  if (problems.category) return undefined
  try {
    return subjectFor(db, listing.category, listing.title, listing.description, confirmed)
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    Object.assign(problems, err.fields)
    return undefined
  }
}
