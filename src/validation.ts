import { AjvCompiler } from '@fastify/ajv-compiler'
import ajvErrors from 'ajv-errors'
import type { FastifyServerOptions } from 'fastify'
import { buildSerializer } from './serialization.js'

const shared = { allErrors: true, removeAdditional: false, useDefaults: true } as const

/**
 * Two ajv pools over the same registered schemas: query strings, params and headers
 * arrive as text, so they are coerced to their declared types; JSON bodies are not
 * (`"quantity": "5"` is a 400, not 5). `ajv-errors` lets a schema say in words what it
 * expects (`errorMessage`), as one error instead of one per branch of a union.
 */
export function validationOptions (): FastifyServerOptions['schemaController'] {
  const pool = AjvCompiler()
  return {
    compilersFactory: {
      buildValidator: (externalSchemas, ajvOptions) => {
        const given = ajvOptions as { customOptions?: object, plugins?: unknown[] }
        const base = { ...given, plugins: [...(given.plugins ?? []), ajvErrors] }
        const body = pool(externalSchemas, { ...base, customOptions: { ...base.customOptions, ...shared, coerceTypes: false } } as never)
        const text = pool(externalSchemas, { ...base, customOptions: { ...base.customOptions, ...shared, coerceTypes: 'array' } } as never)
        return (route) => (route.httpPart === 'body' ? body(route) : text(route))
      },
      buildSerializer
    }
  }
}
