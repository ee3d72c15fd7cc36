import { AjvCompiler } from '@fastify/ajv-compiler'
import ajvErrors from 'ajv-errors'
import type { FastifyServerOptions } from 'fastify'
import type { ValidateFunction } from 'ajv'
import { buildSerializer } from './serialization.js'

// strictNumbers: NaN and Infinity are not numbers of any schema (ajv checks it on JSON bodies)
const shared = { allErrors: true, removeAdditional: false, useDefaults: true, strictNumbers: true } as const

const notFinite = (n: unknown) => typeof n === 'number' && !Number.isFinite(n)

/**
 * ajv's coercion turns the text `1e400` or `Infinity` into Infinity and skips the number
 * checks after it (integer, maximum): a query string or path parameter that coerced to a
 * number that is not finite is refused here, so none ever reaches SQL.
 */
function finiteNumbersOnly (validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    const ok = validate(data)
    checked.errors = validate.errors
    if (!ok || typeof data !== 'object' || data === null) return ok
    const bad: string[] = []
    for (const [key, v] of Object.entries(data)) {
      if (Array.isArray(v) ? v.some(notFinite) : notFinite(v)) bad.push(key)
    }
    if (bad.length === 0) return true
    checked.errors = bad.map((key) => ({
      instancePath: `/${key}`,
      schemaPath: '#/type',
      keyword: 'type',
      params: {},
      message: 'must be a finite number'
    }))
    return false
  }) as ValidateFunction
  return Object.assign(checked, { schema: validate.schema, schemaEnv: validate.schemaEnv })
}

/**
 * A validator compiled by its first call, as serializers are (serialization.ts): most routes of an instance are never
 * called, and compiling every route's schemas at startup kept about 16 MB of RSS (Node 22). So a schema ajv refuses
 * no longer stops startup: its route answers 500. test/security/contract-fuzz.test.ts sends requests to every
 * operation of the OpenAPI document, so such a schema fails the tests instead. Fastify passes no parent data to a
 * validator without `schemaEnv`: no schema here replaces a request's root value (bodies are not coerced).
 */
function compiledOnFirstUse (compile: () => ValidateFunction): ValidateFunction {
  let validate: ValidateFunction | undefined
  const lazy = ((data: unknown) => {
    validate ??= compile()
    const ok = validate(data)
    lazy.errors = validate.errors
    return ok
  }) as ValidateFunction
  return lazy
}

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
        const given = ajvOptions as { customOptions?: object; plugins?: unknown[] }
        const base = { ...given, plugins: [...(given.plugins ?? []), ajvErrors] }
        const body = pool(externalSchemas, {
          ...base,
          customOptions: { ...base.customOptions, ...shared, coerceTypes: false }
        } as never)
        const text = pool(externalSchemas, {
          ...base,
          customOptions: { ...base.customOptions, ...shared, coerceTypes: 'array' }
        } as never)
        return (route) => compiledOnFirstUse(() => route.httpPart === 'body'
          ? body(route) as ValidateFunction
          : finiteNumbersOnly(text(route) as ValidateFunction))
      },
      buildSerializer
    }
  }
}
