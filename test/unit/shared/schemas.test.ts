import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Static } from 'typebox'
import { Ajv } from 'ajv'
import {
  date,
  fields,
  formSchema,
  id32,
  idParam,
  int,
  listOf,
  oneOf,
  secret,
  str,
  text,
  textKeyword,
} from '../../../src/shared/forms.js'
import { browseQuery, NewFormQuery } from '../../../src/listings/forms.js'
import { isCalendarDate } from '../../../src/shared/time.js'

// What Ajv is given must be what the routes wrote by hand before the helpers built TypeBox schemas: the validation,
// coercion and every error message a form shows depend on it (JSON.stringify drops TypeBox's own hidden markers).
const json = (schema: unknown) => JSON.parse(JSON.stringify(schema))

describe('schema helpers: the JSON Schema Ajv sees', () => {
  it('leaves are the hand-written shapes, the text keyword and the integer double check included', () => {
    expect(json(str(40, 1))).toEqual({ type: 'string', maxLength: 40, minLength: 1, text: 'line' })
    expect(json(str(40))).toEqual({ type: 'string', maxLength: 40, text: 'line' })
    expect(json(text(4000))).toEqual({ type: 'string', maxLength: 4000, text: 'block' })
    expect(json(secret(200, 8))).toEqual({ type: 'string', maxLength: 200, minLength: 8 })
    expect(json(int(1, 5))).toEqual({ type: 'integer', minimum: 1, maximum: 5, allOf: [{ type: 'integer' }] })
    expect(json(date)).toEqual({ type: 'string', format: 'calendar-date' })
    expect(json(oneOf(['a', 'b']))).toEqual({ type: 'string', enum: ['a', 'b'] })
    expect(json(listOf(['a'], 3))).toEqual({ type: 'array', items: { type: 'string', enum: ['a'] }, maxItems: 3 })
    expect(json(idParam)).toEqual({ type: 'object', required: ['id'], properties: { id: json(id32) } })
  })

  it('objects keep `required` in the order given, and a form always lists the CSRF token and refuses strangers', () => {
    expect(json(formSchema({ b: str(5), a: int(1, 2) }, ['b', 'a']))).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['b', 'a'],
      properties: { _csrf: { type: 'string', maxLength: 200 }, b: json(str(5)), a: json(int(1, 2)) },
    })
    expect(json(formSchema({ a: str(5) }))).toMatchObject({ required: [] })
    expect(json(fields({ q: str(5) }, ['q']))).toEqual({
      type: 'object',
      required: ['q'],
      properties: { q: json(str(5)) },
    })
    expect(json(fields({ q: str(5) }, [], { additionalProperties: false }))).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { q: json(str(5)) },
    })
    expect(json(NewFormQuery)).toEqual({ type: 'object', properties: { orgId: json(id32) } })
    expect(Object.keys(json(browseQuery({ sort: oneOf(['new']) })).properties)).toEqual([
      'category',
      'area',
      'q',
      'topic',
      'page',
      'sort',
    ])
  })

  it('validates as the app does: coerced, cleaned, unknown form fields dropped', () => {
    const ajv = new Ajv({
      allErrors: true,
      coerceTypes: 'array',
      removeAdditional: true,
      formats: { 'calendar-date': isCalendarDate },
    })
    ajv.addKeyword(textKeyword)
    const check = ajv.compile(formSchema({ n: int(1, 9), s: str(10, 1), d: date, k: listOf(['x', 'y']) }, ['n', 's']))
    const body: Record<string, unknown> = { n: '3', s: 'a\u0000b\nc', d: '2027-02-28', k: 'x', stray: 'gone' }
    expect(check(body)).toBe(true)
    expect(body).toEqual({ n: 3, s: 'ab c', d: '2027-02-28', k: ['x'] })
    expect(check({ n: 'Infinity', s: 'x' })).toBe(false)
    expect(check({ n: 1, s: 'x', d: '2027-02-29' })).toBe(false)
    expect(check({ n: 1, s: 'x', k: ['z'] })).toBe(false)
  })
})

describe('schema helpers: the types a route gets', () => {
  it('required fields are present, the others optional, enums their values', () => {
    // Only its inferred type is read: the assertions below are checked by the compiler.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const Body = formSchema({ n: int(1, 9), s: str(10), r: oneOf(['a', 'b'] as const), k: listOf(['x', 'y']) }, [
      'n',
      'r',
    ])
    expectTypeOf<Static<typeof Body>>().toEqualTypeOf<{
      n: number
      r: 'a' | 'b'
      s?: string
      k?: ('x' | 'y')[]
      _csrf?: string
    }>()
    expectTypeOf<Static<typeof idParam>>().toEqualTypeOf<{ id: number }>()
    expectTypeOf<Static<typeof NewFormQuery>>().toEqualTypeOf<{ orgId?: number }>()
  })
})
