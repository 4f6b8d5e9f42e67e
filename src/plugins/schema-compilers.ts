import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'

/**
 * Fastify's own validator and serializer compilers, made once per process instead of once per app. A site builds
 * one app, so for it nothing changes; the tests build hundreds, and compiling every route's schemas again was about
 * 1.3 s of each app's 2 s. The route schemas are module constants, so a later app hands the same objects: Ajv's
 * pool (keyed by options) returns the instance that compiled them, and Ajv returns its compiled function for an
 * object it has seen. Fastify treats a factory given here as custom and then leaves a headers schema's keys as
 * written instead of lower-casing them: no route validates headers, and one that does must write them lower-case.
 */
export const buildValidator = AjvCompiler()

type SerializerFactory = ReturnType<typeof SerializerSelector>
type Serializer = ReturnType<ReturnType<SerializerFactory>>
const serializers = new Map<string, WeakMap<object, Serializer>>()
const buildSerializerFrom = SerializerSelector()

/** fast-json-stringify's compiler with a memo per response schema object, keyed as Ajv's pool is. */
export const buildSerializer: SerializerFactory = (externalSchemas, serializerOpts) => {
  const key = JSON.stringify([externalSchemas, serializerOpts])
  let memo = serializers.get(key)
  if (!memo) serializers.set(key, (memo = new WeakMap()))
  const compile = buildSerializerFrom(externalSchemas, serializerOpts)
  return (route) => {
    const schema = route.schema as object
    let serialize = memo.get(schema)
    if (!serialize) memo.set(schema, (serialize = compile(route)))
    return serialize
  }
}
