import fp from 'fastify-plugin'
import sjson from 'secure-json-parse'
import { Errors } from '../errors.js'

/**
 * JSON bodies parsed with prototype-poisoning keys refused, telling the client which
 * rule it broke instead of a bare "invalid JSON".
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
      // V8's message can quote the body (a password, say): keep only where it broke.
      const position = /position (\d+)/.exec((err as Error).message)?.[1]
      return done(Errors.malformedJson(position ? `The body is not valid JSON (near position ${position})` : 'The body is not valid JSON'))
    }
    try {
      if (typeof value === 'object' && value !== null) sjson.scan(value, { protoAction: 'error', constructorAction: 'error' })
      done(null, value)
    } catch {
      done(Errors.badRequest('The body contains a forbidden key (__proto__ or constructor.prototype)'))
    }
  })
}, { name: 'json-parser' })
