/**
 * A listing's topics or keywords column as the matcher's views hold it. NULL means "not yet tagged" and reads
 * as [] until tagUntagged fills it (src/topics/), so an untagged listing relates to others by nothing and
 * fits nothing but a fund with no stated purpose. Shared by every loader of views (matching.ts, impact/), so
 * they cannot disagree on it.
 */
const EMPTY: readonly string[] = Object.freeze([])

// Topic lists repeat (a few hundred combinations); keyword lists rarely do, but parsing twice costs as much
// as a miss. Frozen, since views share them.
const parsed = new Map<string, readonly string[]>()

export function subjectList(json: string | readonly string[] | null | undefined): readonly string[] {
  if (json == null || json === '') return EMPTY
  if (typeof json !== 'string') return json
  let list = parsed.get(json)
  if (!list) {
    let value: unknown
    try {
      value = JSON.parse(json)
    } catch {
      value = null
    }
    // A malformed cell must not take a match page down: it reads as untagged.
    list = Array.isArray(value) ? Object.freeze(value.filter((v): v is string => typeof v === 'string')) : EMPTY
    if (parsed.size >= 20_000) parsed.clear()
    parsed.set(json, list)
  }
  return list
}
