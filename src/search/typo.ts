/**
 * Typo correction against an index's English vocabulary: "rehersal" → rehearsal. Pure: fts.ts reads the words
 * and their listing counts from the index, keeps one Vocabulary per connection and kind, and asks here.
 */

/** The English words of one index with their listing counts, for typo correction and rarity estimates. */
export type Vocabulary = {
  df: Map<string, number>
  buckets: Map<string, string[]> // first letter + length → words: the typo candidates
  sorted?: string[] // the same words in order, for prefix counts; built on first need
  loadedAt: number
  stale: boolean // another connection wrote since it was loaded
}

const ENGLISH = /^[a-z]+$/

/** A vocabulary of the (term, listings) rows of an index's vocabulary table; other than English words are left out. */
export function readVocabulary(rows: Iterable<[string, number]>, now: number): Vocabulary {
  const vocab: Vocabulary = { df: new Map(), buckets: new Map(), loadedAt: now, stale: false }
  for (const [term, doc] of rows) {
    if (!ENGLISH.test(term)) continue
    vocab.df.set(term, doc)
    addToBucket(vocab.buckets, term)
  }
  return vocab
}

/** Keeps a vocabulary current after this connection indexed a listing made of `tokens` (space-separated). */
export function addWritten(vocab: Vocabulary, tokens: string): void {
  for (const w of new Set(tokens.split(' '))) {
    if (!ENGLISH.test(w)) continue
    const df = vocab.df.get(w)
    // An upsert may count a listing twice and a removal is not subtracted: the counts only rank typo
    // candidates and estimate rarity, and a stale word simply matches nothing.
    vocab.df.set(w, (df ?? 0) + 1)
    if (df !== undefined) continue
    addToBucket(vocab.buckets, w)
    vocab.sorted?.splice(lowerBound(vocab.sorted, w), 0, w)
  }
}

/**
 * Vocabulary words close to `word`, which itself finds `own` listings (fewer than 3). Candidates share the first
 * letter (typos there are rare, and it keeps the scan to a few hundred words at 100k listings), are within 1 edit
 * (2 for words of 8+ letters), and must be far more common than the word; the closest, then most common, three win.
 */
export function closeWords(vocab: Vocabulary, word: string, own: number): string[] {
  const max = word.length >= 8 ? 2 : 1
  const found: { w: string; d: number; df: number }[] = []
  for (let len = word.length - max; len <= word.length + max; len++) {
    for (const w of vocab.buckets.get(`${word[0]}${len}`) ?? []) {
      const df = vocab.df.get(w) ?? 0
      if (w === word || df <= own * 5) continue
      const d = editDistance(word, w, max)
      if (d <= max) found.push({ w, d, df })
    }
  }
  if (found.length === 0) return []
  const best = Math.min(...found.map((f) => f.d))
  return found
    .filter((f) => f.d === best)
    .sort((a, b) => b.df - a.df || (a.w < b.w ? -1 : 1))
    .slice(0, 3)
    .map((f) => f.w)
}

/** Listings containing a word that starts with `prefix`, counted up to `cap` (summed df, an over-estimate). */
export function prefixDocs(vocab: Vocabulary, prefix: string, cap: number): number {
  const sorted = (vocab.sorted ??= [...vocab.df.keys()].sort())
  let n = 0
  for (let i = lowerBound(sorted, prefix); i < sorted.length && n < cap && sorted[i].startsWith(prefix); i++) {
    n += vocab.df.get(sorted[i]) ?? 0
  }
  return n
}

/** Optimal-string-alignment distance (a transposition is one edit), giving up once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev2: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1)
      cur.push(v)
      if (v < rowMin) rowMin = v
    }
    if (rowMin > max) return max + 1
    prev2 = prev
    prev = cur
  }
  return prev[b.length]
}

function lowerBound(sorted: string[], w: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < w) lo = mid + 1
    else hi = mid
  }
  return lo
}

function addToBucket(buckets: Map<string, string[]>, w: string): void {
  const key = `${w[0]}${w.length}`
  const list = buckets.get(key)
  if (list) list.push(w)
  else buckets.set(key, [w])
}
