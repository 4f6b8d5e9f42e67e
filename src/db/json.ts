import { sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'

/** The JSON text array in `column` holds `value` (SQLite's json_each; PostgreSQL would ask `column::jsonb ? value`). */
export const jsonArrayHas = (column: SQLiteColumn, value: string): SQL =>
  sql`EXISTS (SELECT 1 FROM json_each(${column}) WHERE json_each.value = ${value})`
