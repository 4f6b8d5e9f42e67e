import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas } from '../db/schema.js'

/**
 * Areas named as a ledger names them: by their `ref`, or, for an area that has none yet, by the `area-<id>` an
 * export gives it. Returns the ids in the order given (duplicates once) and the refs that name no area.
 */
export function resolveAreaRefs(db: Db, refs: string[]): { ids: number[]; unknown: string[] } {
  const wanted = [...new Set(refs.map((r) => r.trim()).filter(Boolean))]
  if (wanted.length === 0) return { ids: [], unknown: [] }
  const byRef = new Map(
    db
      .select({ id: areas.id, ref: areas.ref })
      .from(areas)
      .where(inArray(areas.ref, wanted))
      .all()
      .map((a) => [a.ref!, a.id]),
  )
  const ids: number[] = [],
    unknown: string[] = []
  for (const ref of wanted) {
    let id = byRef.get(ref)
    const exported = ref.match(/^area-(\d{1,9})$/)
    if (id === undefined && exported) {
      const row = db
        .select({ id: areas.id, ref: areas.ref })
        .from(areas)
        .where(eq(areas.id, Number(exported[1])))
        .get()
      if (row && row.ref === null) id = row.id
    }
    if (id === undefined) unknown.push(ref)
    else if (!ids.includes(id)) ids.push(id)
  }
  return { ids, unknown }
}
