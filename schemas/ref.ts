import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** A `$ref` to a registered schema that keeps the schema's static type (Type.Ref alone is `unknown`). */
export function ref<T extends TSchema> (schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

/**
 * A validated query string: keys with a schema `default` are optional for clients (and so in
 * the static type), but ajv's useDefaults has filled them in by the time a handler runs.
 */
export type Defaulted<T, K extends keyof T> = T & Required<Pick<T, K>>
