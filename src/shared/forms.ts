import type { FastifySchemaValidationError } from 'fastify/types/schema.js'
import type { AnySchemaObject, FuncKeywordDefinition } from 'ajv'
import type { DataValidationCxt } from 'ajv/dist/types/index.js'
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'
import type { FieldErrors, Problem } from './errors.js'
import { cleanText } from './text.js'

function problemFor(e: FastifySchemaValidationError): Problem {
  // Ajv's params differ by keyword; each case below reads the ones its keyword has.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const p = e.params as Record<string, any>
  switch (e.keyword) {
    case 'required':
      return { key: 'validation.required' }
    case 'minLength':
      return { key: p.limit === 1 ? 'validation.required' : 'validation.too_short', params: { limit: p.limit } }
    case 'maxLength':
      return { key: 'validation.too_long', params: { limit: p.limit } }
    case 'minimum':
    case 'exclusiveMinimum':
      return { key: 'validation.too_small', params: { limit: p.limit } }
    case 'maximum':
    case 'exclusiveMaximum':
      return { key: 'validation.too_large', params: { limit: p.limit } }
    case 'type':
      return {
        key:
          p.type === 'integer'
            ? 'validation.not_integer'
            : p.type === 'number'
              ? 'validation.not_number'
              : 'validation.invalid',
      }
    case 'enum':
      return { key: 'validation.choose' }
    case 'format':
      return {
        key:
          p.format === 'email'
            ? 'validation.email'
            : p.format === 'calendar-date'
              ? 'validation.date'
              : 'validation.invalid',
      }
    case 'maxItems':
      return { key: 'validation.too_large', params: { limit: p.limit } }
    default:
      return { key: 'validation.invalid' }
  }
}

/** Ajv's errors, one per field (the first problem found), named by the form field they concern. */
export function fieldErrors(errors: FastifySchemaValidationError[] | undefined): FieldErrors {
  const out: FieldErrors = {}
  for (const e of errors ?? []) {
    const field =
      e.keyword === 'required'
        ? (e.params as { missingProperty: string }).missingProperty
        : e.instancePath.replace(/^\//, '').split('/')[0] || '_'
    out[field] ??= problemFor(e)
  }
  return out
}

/**
 * The `text` schema keyword ('line' or 'block'): cleans the string in place (cleanText) as the body is validated,
 * so every door that validates with these schemas — forms, htmx, the API — stores the same clean text. Registered
 * with Fastify's Ajv in app.ts. The length limits are checked again on the cleaned text: "\u0000" is not a name.
 */
export const textKeyword: FuncKeywordDefinition = {
  keyword: 'text',
  type: 'string',
  schemaType: 'string',
  modifying: true,
  errors: true,
  validate: function check(mode: string, data: string, parent?: AnySchemaObject, cxt?: DataValidationCxt): boolean {
    const clean = cleanText(data, mode === 'block')
    if (cxt && clean !== data) (cxt.parentData as Record<string | number, unknown>)[cxt.parentDataProperty] = clean
    const limit: number = parent?.minLength ?? 0
    if (clean.length >= limit) return true
    ;(check as unknown as { errors: object[] }).errors = [
      { keyword: 'minLength', params: { limit }, message: `must NOT have fewer than ${limit} characters` },
    ]
    return false
  },
}

/** A one-line text field (a name, a title): cleaned by the `text` keyword, CR/LF and tabs become spaces. */
export const str = (maxLength: number, minLength = 0) =>
  Type.String({ maxLength, ...(minLength ? { minLength } : {}), text: 'line' })
/** A text that may run over several lines (a description, a comment, a message): cleaned, line breaks kept. */
export const text = (maxLength: number, minLength = 0) =>
  Type.String({ maxLength, ...(minLength ? { minLength } : {}), text: 'block' })
/**
 * Taken exactly as sent, never cleaned: a password (what was typed at sign-up must match at sign-in), and a `next`
 * path, which safeNext refuses whole when it holds a control character rather than getting it cleaned into a path.
 */
export const secret = (maxLength: number, minLength = 0) =>
  Type.String({ maxLength, ...(minLength ? { minLength } : {}) })
/**
 * A whole number between the limits. Ajv coerces "Infinity", "-Infinity" and "1e400" to ±Infinity without checking
 * the result, and skips minimum/maximum for non-finite numbers, so the coerced value would reach SQLite. The same
 * type checked again in a subschema sees the coerced number and refuses it (Ajv's strictNumbers: NaN and Infinity are
 * not numbers): "must be integer", like any other non-number.
 */
export const int = (minimum: number, maximum: number) =>
  Type.Integer({ minimum, maximum, allOf: [{ type: 'integer' }] })
/** A date field: a real calendar date in the years the app accepts (isCalendarDate, registered as an Ajv format in app.ts). */
export const date = Type.String({ format: 'calendar-date' })
// `type: 'string'` beside the enum: a value of another type is "invalid", not "choose one" (problemFor).
export const oneOf = <const V extends readonly string[]>(values: V) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values] })
export const listOf = <const V extends readonly string[]>(values: V, maxItems = 20) =>
  Type.Array(oneOf(values), { maxItems })
/** A checkbox or JSON flag. */
export const bool = () => Type.Boolean()
/** Topic codes as a form or the API sends them. */
export const codes = (maxItems: number) => Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,60}$' }), { maxItems })
export const id32 = int(1, 2_147_483_647)
export const idParam = Type.Object({ id: id32 })

/** What a schema built here validates to: the request part's type once Ajv has coerced and checked it. */
type Of<S> = S extends TSchema ? Static<S> : unknown
type Flat<T> = { [K in keyof T]: T[K] }
/** An object whose `required` fields are present and the rest optional, as Ajv leaves it. */
export type Fields<P extends Record<string, object>, R extends keyof P> = Flat<
  { -readonly [K in R]: Of<P[K]> } & { -readonly [K in Exclude<keyof P, R>]?: Of<P[K]> }
>

/**
 * An object of these fields, typed for the route (a body, a query, params). Written out as JSON Schema rather
 * than through Type.Object so `required` keeps the order given and an empty one stays: Ajv reports what it did.
 */
export function fields<const P extends Record<string, object>, const R extends keyof P & string = never>(
  properties: P,
  required: readonly R[] = [],
  options: { additionalProperties?: boolean } = {},
) {
  const schema = { type: 'object', ...options, ...(required.length ? { required: [...required] } : {}), properties }
  // `properties` stays readable, so a schema can be built on another's fields.
  return Type.Unsafe<Fields<P, R>>(schema) as TUnsafe<Fields<P, R>> & { properties: P }
}

/** Every form carries the CSRF token; listing it here keeps each route's schema about its own fields. */
export function formSchema<const P extends Record<string, object>, const R extends keyof P & string = never>(
  properties: P,
  required: readonly R[] = [],
) {
  return Type.Unsafe<Fields<P & { _csrf: ReturnType<typeof secret> }, R>>({
    type: 'object',
    additionalProperties: false,
    required: [...required],
    properties: { _csrf: { type: 'string', maxLength: 200 }, ...properties },
  })
}
