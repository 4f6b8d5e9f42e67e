import { Type, type TSchema } from 'typebox'

/**
 * Pieces of response schemas. A response schema makes fast-json-stringify write the JSON: it drops what the schema
 * does not list and coerces what it does (null written as "" or 0 unless the type allows null), so every field an
 * answer can carry is listed with the type it really has. test/integration/foundation/api-json.test.ts holds each
 * API route's served JSON equal to what its handler built.
 */
export const nullable = <S extends TSchema>(s: S) => Type.Union([s, Type.Null()])
export const count = Type.Integer()
export const namedTopics = Type.Array(Type.Object({ code: Type.String(), name: Type.String() }))

/**
 * Every refusal the API sends (the error handler's, the access policy's, a route's own): each problem next to the
 * field it is about, or null for the request as a whole, in the caller's language. `code` names a refusal a client
 * may act on without reading the words (`busy`: nothing saved, send the same request again after Retry-After).
 */
export const Refusal = Type.Object({
  errors: Type.Array(
    Type.Object({ field: nullable(Type.String()), code: Type.Optional(Type.String()), message: Type.String() }),
  ),
})
