import type { Column } from 'drizzle-orm'
import { preparedOn, sqliteOf, type Db } from '../db/client.js'

/**
 * A list page's rows by id (need-queries.ts, offer-queries.ts): drizzle's select for its SQL and its row type, run as
 * one raw statement per connection whose arrays become objects through the columns' own decoders. Drizzle's
 * mapResultRow, general enough for nested selections and outer joins, cost a third of reading a page's 20 rows at
 * 100k listings (~150 µs against ~100). Only for what it is the same as: a flat selection of columns over inner joins
 * (no nullified tables) with one parameter, the page's ids as a JSON array.
 */
export function rowsByIds<Row>(
  columns: Record<string, Column>,
  build: (db: Db) => { toSQL(): { sql: string }; all(...args: never[]): Row[] },
): (db: Db, ids: readonly number[]) => Row[] {
  const names = Object.keys(columns)
  const decoders = Object.values(columns)
  const read = preparedOn((db) => sqliteOf(db).prepare(build(db).toSQL().sql).raw())
  return (db, ids) => {
    if (ids.length === 0) return []
    return (read(db).all(JSON.stringify(ids)) as unknown[][]).map((values) => {
      const row: Record<string, unknown> = {}
      for (let i = 0; i < names.length; i++) {
        const v = values[i]
        row[names[i]!] = v === null ? null : decoders[i]!.mapFromDriverValue(v)
      }
      return row as Row
    })
  }
}
