import fp from 'fastify-plugin'
import type { FastifyBodyParser } from 'fastify'
import sjson from 'secure-json-parse'
import { parse as parseLossless } from 'lossless-json'
import { Errors } from '../../errors.js'

/** Money fields: a JSON number there arrives as its exact source text, never as a binary float. */
export const DECIMAL_FIELDS = new Set(['price'])

/** No request schema nests beyond a few levels; anything much deeper is refused before validation walks it. */
export const MAX_DEPTH = 32

/** JSON media types: application/json and any application/<something>+json, with or without parameters. */
export const JSON_MEDIA_TYPES = ['application/json', /^application\/[a-z0-9!#$&^_.-]+\+json(\s*;|$)/] as const

function depthOf (value: unknown): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, d] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    deepest = Math.max(deepest, d + 1)
    if (deepest > MAX_DEPTH) return deepest
    for (const child of Object.values(v)) stack.push([child, d + 1])
  }
  return deepest
}

class NumberText {
  constructor (readonly text: string) {}
}

/**
 * One parse for every body, with the member names already decoded (`"pr\u0069ce"` is
 * `price`): numbers keep their source text until the reviver decides, so a decimal field
 * gets exactly the digits sent and the schema judges them; every other number is a JS
 * number as JSON.parse would give. lossless-json refuses a member name repeated in one
 * object with another value (a reader that keeps the first would see a different body).
 */
const parseJson = (text: string) =>
  parseLossless(
    text,
    (key, value) => (value instanceof NumberText ? (DECIMAL_FIELDS.has(key) ? value.text : Number(value.text)) : value),
    { parseNumber: (numberText) => new NumberText(numberText) }
  )

/** What went wrong, without quoting the body (it can hold a password). */
function syntaxProblem (err: Error) {
  const position = /position (\d+)/.exec(err.message)?.[1]
  const near = position ? ` (near position ${position})` : ''
  if (err instanceof RangeError) return Errors.badRequest(`The body nests deeper than ${MAX_DEPTH} levels`)
  if (err.message.startsWith('Duplicate key')) {
    return Errors.malformedJson(`The body repeats a member name in one object${near}`)
  }
  return Errors.malformedJson(`The body is not valid JSON${near}`)
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i

/**
 * JSON bodies: only JSON media types in UTF-8 (anything else is 415 before a byte is
 * parsed), duplicates and prototype-poisoning keys refused with a reason, the parser's
 * message never echoed, money fields kept exact whatever the spelling of their name.
 */
export default fp(
  async (app) => {
    const parser: FastifyBodyParser<string> = (request, text, done) => {
      const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase()
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        return done(Errors.unsupportedMediaType('JSON bodies are UTF-8 (RFC 8259): send charset=utf-8 or no charset'))
      }
      if (text.length === 0) return done(Errors.malformedJson('The body is empty but Content-Type is JSON'))
      let value: unknown
      try {
        value = parseJson(text)
      } catch (err) {
        return done(syntaxProblem(err as Error))
      }
      if (depthOf(value) > MAX_DEPTH) return done(Errors.badRequest(`The body nests deeper than ${MAX_DEPTH} levels`))
      try {
        if (typeof value === 'object' && value !== null) {
          sjson.scan(value, { protoAction: 'error', constructorAction: 'error' })
        }
      } catch {
        return done(Errors.badRequest('The body contains a forbidden key (__proto__ or constructor.prototype)'))
      }
      done(null, value)
    }
    app.removeAllContentTypeParsers()
    for (const type of JSON_MEDIA_TYPES) app.addContentTypeParser(type, { parseAs: 'string' }, parser)
  },
  { name: 'json-parser' }
)
