import t from 'tap'
import { Writable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helper.js'

/** A route with a strict body, registered on the real app to exercise the shared error path. */
async function echoRoute (app: FastifyInstance) {
  app.post(
    '/test/echo',
    {
      schema: {
        body: Type.Object(
          {
            name: Type.String({ minLength: 3, maxLength: 10 }),
            count: Type.Integer({ minimum: 0 })
          },
          { additionalProperties: false }
        )
      }
    },
    async (request) => request.body
  )
  app.get('/test/boom', async () => {
    throw new Error('SELECT secret FROM internals failed at /srv/app.js:12')
  })
}

const problemOf = (res: { headers: Record<string, unknown>; json: () => any }) => {
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  return res.json()
}

t.test('problem+json for every bad input', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { BODY_LIMIT: 1024 }, before: echoRoute })

  t.test('valid body passes', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'abcd', count: 1 } })
    t.equal(res.statusCode, 200)
  })

  t.test('validation lists every violation with a JSON pointer', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { name: 'ab', count: -1, role: 'admin' }
    })
    t.equal(res.statusCode, 400)
    const body = problemOf(res)
    t.match(body, {
      type: /validation_failed$/,
      title: String,
      status: 400,
      code: 'validation_failed',
      request_id: String
    })
    const pointers = body.errors.map((e: { pointer: string }) => e.pointer).sort()
    t.same(pointers, ['/body/count', '/body/name', '/body/role'])
  })

  t.test('missing required properties are each named', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: {} })
    t.same(
      problemOf(res)
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
      ['/body/count', '/body/name']
    )
  })

  t.test('malformed JSON is 400 malformed_json', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "abc",'
    })
    t.equal(res.statusCode, 400)
    t.equal(problemOf(res).code, 'malformed_json')
  })

  t.test('empty JSON body is 400 malformed_json', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: ''
    })
    t.equal(res.statusCode, 400)
    t.equal(problemOf(res).code, 'malformed_json')
  })

  t.test('__proto__ and constructor.prototype keys are refused', async (t) => {
    for (const payload of [
      '{"name":"abcd","count":1,"__proto__":{"admin":true}}',
      '{"name":"abcd","count":1,"constructor":{"prototype":{"admin":true}}}'
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload
      })
      t.equal(res.statusCode, 400)
      t.match(problemOf(res), { code: 'bad_request', detail: /forbidden key/ })
    }
  })

  t.test('JSON nested deeper than 32 levels is refused', async (t) => {
    const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40)
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: deep
    })
    t.equal(res.statusCode, 400)
    t.match(problemOf(res), { code: 'bad_request', detail: /deeper than 32/ })
  })

  t.test('wrong content type is 415', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>'
    })
    t.equal(res.statusCode, 415)
    t.equal(problemOf(res).code, 'unsupported_media_type')
  })

  t.test('body over the limit is 413', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x'.repeat(2000), count: 1 } })
    t.equal(res.statusCode, 413)
    t.equal(problemOf(res).code, 'payload_too_large')
  })

  t.test('unknown route is 404', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' })
    t.equal(res.statusCode, 404)
    t.match(problemOf(res), { code: 'not_found', status: 404 })
  })

  t.test('wrong method on a known path is 405 with Allow', async (t) => {
    const res = await app.inject({ method: 'DELETE', url: '/test/echo' })
    t.equal(res.statusCode, 405)
    t.equal(res.headers.allow, 'POST')
    t.equal(problemOf(res).code, 'method_not_allowed')
  })

  t.test('a 500 shows nothing from inside', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/test/boom' })
    t.equal(res.statusCode, 500)
    const body = problemOf(res)
    t.equal(body.code, 'internal_error')
    t.notMatch(res.body, /SELECT|secret|srv|\.js|at /)
  })
})

t.test('a database error is logged with its codes only, never the values of the statement', async (t) => {
  let logs = ''
  const logStream = new Writable({
    write (chunk, _enc, done) {
      logs += chunk
      done()
    }
  })
  const app = await buildTestApp(t, {
    logStream,
    config: { LOG_LEVEL: 'info' },
    before: (app) => {
      app.get('/test/db-error', async () =>
        app.db.query('SELECT * FROM no_such_table WHERE secret = ?', ['sekret-value'])
      )
    }
  })
  const res = await app.inject({ url: '/test/db-error' })
  t.equal(res.statusCode, 500)
  t.notMatch(res.body, /sekret|no_such_table/)
  t.match(logs, /"error_code":"ER_NO_SUCH_TABLE"/, 'the error is logged')
  t.notMatch(logs, /sekret-value/, 'without the value')
})
