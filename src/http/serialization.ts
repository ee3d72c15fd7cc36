import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'
import { plainJsonCheck } from './plain-json.js'

type Serialize = (data: unknown) => string
type BuildSerializer = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildSerializer']

/**
 * Response serializers, compiled once per distinct schema and only when first used. Every route
 * declares the same problem+json schema for each error status it can return: compiling them all
 * at startup took most of the time before the first answer. A value `JSON.stringify` writes exactly as the schema's
 * serializer would (src/http/plain-json.ts says which) is written by `JSON.stringify`, in one native pass.
 */
export const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas as never, options as never)
  const bySchema = new Map<string, Serialize>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serialize = bySchema.get(key)
    if (!serialize) {
      let compiled: Serialize | undefined
      serialize = (data) => {
        if (compiled === undefined) {
          const bySchemaSerializer = compile(route) as Serialize
          const plain = plainJsonCheck(route.schema, externalSchemas as Record<string, unknown>)
          compiled = plain
            ? (value) => (plain(value) ? JSON.stringify(value) : bySchemaSerializer(value))
            : bySchemaSerializer
        }
        return compiled(data)
      }
      bySchema.set(key, serialize)
    }
    return serialize
  }
}
