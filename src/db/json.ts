import { sql, type Placeholder, type SQL } from 'drizzle-orm'

/**
 * The values of a JSON array parameter (`JSON.stringify(ids)`), for `inArray(column, jsonValues(placeholder))`:
 * a list of any length in a query prepared once.
 */
export const jsonValues = (param: Placeholder<string>): SQL => sql`(SELECT value FROM json_each(${param}))`
