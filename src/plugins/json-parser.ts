import fp from 'fastify-plugin'
import sjson from 'secure-json-parse'
import { parse as parseLossless } from 'lossless-json'
import { Errors } from '../errors.js'

/** Money fields: a JSON number there arrives as its exact source text, never as a binary float. */
export const DECIMAL_FIELDS = new Set(['price'])
const MENTIONS_DECIMAL = new RegExp(`"(${[...DECIMAL_FIELDS].join('|')})"\\s*:\\s*-?\\d`)

/** No request schema nests beyond a few levels; anything much deeper is refused before validation walks it. */
export const MAX_DEPTH = 32

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

/** A second parse that keeps numbers as text, so decimal fields keep every digit they were sent with. */
const exactDecimals = (text: string) => parseLossless(text,
  (key, value) => value instanceof NumberText ? (DECIMAL_FIELDS.has(key) ? value.text : Number(value.text)) : value,
  (numberText) => new NumberText(numberText))

/**
 * JSON bodies: prototype-poisoning keys refused with a reason; V8's parse message is not
 * echoed (it can quote the body); money fields kept exact.
 */
export default fp(async (app) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    if (text.length === 0) return done(Errors.malformedJson('The body is empty but Content-Type is application/json'))
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      const position = /position (\d+)/.exec((err as Error).message)?.[1]
      return done(Errors.malformedJson(position ? `The body is not valid JSON (near position ${position})` : 'The body is not valid JSON'))
    }
    if (depthOf(value) > MAX_DEPTH) return done(Errors.badRequest(`The body nests deeper than ${MAX_DEPTH} levels`))
    try {
      if (typeof value === 'object' && value !== null) sjson.scan(value, { protoAction: 'error', constructorAction: 'error' })
    } catch {
      return done(Errors.badRequest('The body contains a forbidden key (__proto__ or constructor.prototype)'))
    }
    try {
      done(null, MENTIONS_DECIMAL.test(text) ? exactDecimals(text) : value)
    } catch {
      done(Errors.malformedJson('The body has a duplicate key'))
    }
  })
}, { name: 'json-parser' })
