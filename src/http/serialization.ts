import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type Serialize = (data: unknown) => string
type BuildSerializer = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildSerializer']

/**
 * Response serializers, compiled once per distinct schema and only when first used. Every route
 * declares the same problem+json schema for each error status it can return: compiling them all
 * at startup took most of the time before the first answer.
 */
export const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas as never, options as never)
  const bySchema = new Map<string, Serialize>()
  return (route) => {
    const key = JSON.stringify(route.schema)
    let serialize = bySchema.get(key)
    if (!serialize) {
      let compiled: Serialize | undefined
      serialize = (data) => (compiled ??= compile(route) as Serialize)(data)
      bySchema.set(key, serialize)
    }
    return serialize
  }
}
