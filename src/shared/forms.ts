import type { FastifySchemaValidationError } from 'fastify/types/schema.js'
import type { FieldErrors, Problem } from './errors.js'

function problemFor(e: FastifySchemaValidationError): Problem {
  const p = e.params as Record<string, any>
  switch (e.keyword) {
    case 'required': return { key: 'validation.required' }
    case 'minLength': return { key: p.limit === 1 ? 'validation.required' : 'validation.too_short', params: { limit: p.limit } }
    case 'maxLength': return { key: 'validation.too_long', params: { limit: p.limit } }
    case 'minimum': case 'exclusiveMinimum': return { key: 'validation.too_small', params: { limit: p.limit } }
    case 'maximum': case 'exclusiveMaximum': return { key: 'validation.too_large', params: { limit: p.limit } }
    case 'type': return { key: p.type === 'integer' ? 'validation.not_integer' : p.type === 'number' ? 'validation.not_number' : 'validation.invalid' }
    case 'enum': return { key: 'validation.choose' }
    case 'format': return { key: p.format === 'email' ? 'validation.email' : p.format === 'date' ? 'validation.date' : 'validation.invalid' }
    case 'maxItems': return { key: 'validation.too_large', params: { limit: p.limit } }
    default: return { key: 'validation.invalid' }
  }
}

/** Ajv's errors, one per field (the first problem found), named by the form field they concern. */
export function fieldErrors(errors: FastifySchemaValidationError[] | undefined): FieldErrors {
  const out: FieldErrors = {}
  for (const e of errors ?? []) {
    const field = e.keyword === 'required'
      ? (e.params as { missingProperty: string }).missingProperty
      : e.instancePath.replace(/^\//, '').split('/')[0] || '_'
    out[field] ??= problemFor(e)
  }
  return out
}

/** Every form carries the CSRF token; listing it here keeps each route's schema about its own fields. */
export function formSchema(properties: Record<string, object>, required: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    required,
    properties: { _csrf: { type: 'string', maxLength: 200 }, ...properties },
  } as const
}

export const str = (maxLength: number, minLength = 0) => ({ type: 'string', maxLength, ...(minLength ? { minLength } : {}) })
/**
 * A whole number between the limits. Ajv coerces "Infinity", "-Infinity" and "1e400" to ±Infinity without checking
 * the result, and skips minimum/maximum for non-finite numbers, so the coerced value would reach SQLite. The same
 * type checked again in a subschema sees the coerced number and refuses it (Ajv's strictNumbers: NaN and Infinity are
 * not numbers): "must be integer", like any other non-number.
 */
export const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum, allOf: [{ type: 'integer' }] })
export const oneOf = (values: readonly string[]) => ({ type: 'string', enum: [...values] })
export const listOf = (values: readonly string[], maxItems = 20) => ({ type: 'array', items: { type: 'string', enum: [...values] }, maxItems })
export const idParam = { type: 'object', required: ['id'], properties: { id: int(1, 2_147_483_647) } } as const
