import t from 'tap'
import { Writable } from 'node:stream'
import { pino, symbols, type LoggerOptions } from 'pino'
import { buildTestApp } from './helper.js'
import { loggerOptions, redactObjectsOnly } from '../src/logger.js'

function capture () {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _enc, done) {
      lines.push(String(chunk))
      done()
    }
  })
  return { lines, stream }
}

t.test('request id: generated, or accepted from x-request-id, and echoed', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite' })
  const generated = await app.inject({ url: '/health/live' })
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/)

  const given = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'trace-abc.123' } })
  t.equal(given.headers['x-request-id'], 'trace-abc.123')

  const hostile = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'bad id\nforged log line' } })
  t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a malformed incoming id is replaced, not logged')
})

t.test('log lines carry the request id and never a secret', async (t) => {
  const { lines, stream } = capture()
  const app = await buildTestApp(t, {
    store: 'sqlite',
    logStream: stream,
    config: { LOG_LEVEL: 'info' },
    before: (app) => {
      app.post('/test/log', async (request) => {
        request.log.info({ body: request.body, headers: request.headers }, 'handled')
        request.log.child({ step: 'inner' }).info({ password: 'sekret-inner' }, 'inner')
        return {}
      })
    }
  })
  await app.inject({
    method: 'POST',
    url: '/test/log',
    headers: { authorization: 'Bearer sekret-token', cookie: 'sid=sekret-cookie', 'x-request-id': 'req-1' },
    payload: {
      username: 'alice',
      password: 'sekret-password',
      code: '123456',
      nested: { refresh_token: 'sekret-refresh' }
    }
  })
  app.log.info('outside any request')
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const ours = parsed.filter((l) => l.reqId === 'req-1')
  t.same(ours.map((l) => l.msg), ['incoming request', 'handled', 'inner', 'request completed'],
    'every line of the request carries its id as reqId, its logger\'s children\'s too')
  t.equal(ours[2]?.step, 'inner', 'with the child\'s own bindings')
  t.same(parsed.filter((l) => l.msg === 'outside any request').map((l) => 'reqId' in l), [false],
    'a line outside any request has none')
  const all = lines.join('')
  t.notMatch(all, /sekret|123456/)
  t.match(all, /alice/, 'non-secret fields are kept')
})

t.test('redaction skips only what it cannot change: strings, numbers and booleans are written as before', async (t) => {
  const write = (cheap: boolean) => {
    const { lines, stream } = capture()
    const log = pino(loggerOptions('info') as LoggerOptions, stream)
    if (cheap) redactObjectsOnly(log)
    const child = log.child({ reqId: 'a "quoted" id', attempt: 3, fresh: true })
    const values = [
      '', 'plain', 'say "hi"\\now', 'tab\tnewline\ncontrol\u0001', 'lone \ud800 surrogate', 'emoji 😀', 'x'.repeat(5000),
      0, -1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY, true, false
    ]
    for (const value of values) {
      child.info({ value, password: 'sekret-top', nested: { token: 'sekret-nested', value } }, String(value))
    }
    child.info({ list: [{ code: '123456' }], deep: { a: { secret: 'sekret-deep' } } }, 'objects')
    return lines
  }
  const before = write(false)
  const after = write(true)
  t.equal(after.length, 15)
  t.same(after.map((l) => l.replace(/"time":\d+,/, '')), before.map((l) => l.replace(/"time":\d+,/, '')),
    'every line as the full redaction writes it')
  t.notMatch(after.join(''), /sekret|123456/, 'and the secrets in objects still redacted')

  const app = await buildTestApp(t, { store: 'sqlite' })
  const stringifiers = (app.log as unknown as Record<symbol, Record<symbol, unknown>>)[symbols.stringifiersSym]!
  t.match(String(stringifiers[symbols.wildcardFirstSym]), /JSON\.stringify\(value\)/, 'the app\'s logger has it')
})
