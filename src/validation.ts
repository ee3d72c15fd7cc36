import { AjvCompiler } from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'

const shared = { allErrors: true, removeAdditional: false, useDefaults: true } as const

/**
 * Two ajv pools over the same registered schemas: query strings, params and headers
 * arrive as text, so they are coerced to their declared types; JSON bodies are not
 * (`"quantity": "5"` is a 400, not 5).
 */
export function validationOptions (): FastifyServerOptions['schemaController'] {
  const pool = AjvCompiler()
  return {
    compilersFactory: {
      buildValidator: (externalSchemas, ajvOptions) => {
        const base = ajvOptions as { customOptions?: object, plugins?: unknown[] }
        const body = pool(externalSchemas, { ...base, customOptions: { ...base.customOptions, ...shared, coerceTypes: false } } as never)
        const text = pool(externalSchemas, { ...base, customOptions: { ...base.customOptions, ...shared, coerceTypes: 'array' } } as never)
        return (route) => (route.httpPart === 'body' ? body(route) : text(route))
      }
    }
  }
}
