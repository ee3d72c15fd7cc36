import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helper.js'
import { freshName, PASSWORD, register } from './flow.js'

type Answer = { status: number, code?: string, retryAfter?: string, ms: number }

/** `n` logins at once (known and unknown names, wrong passwords): each answer, its code and how long it took. */
async function storm (app: FastifyInstance, n: number, username: string): Promise<Answer[]> {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const started = Date.now()
    const payload = { username: i % 2 ? username : `nobody${i}`, password: `wrong password ${i}` }
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload })
    const body = res.json()
    const retryAfter = res.headers['retry-after'] as string | undefined
    return { status: res.statusCode, code: body.code, retryAfter, ms: Date.now() - started }
  }))
}

t.test('A10: beyond HASH_QUEUE_MAX waiting hashes, logins get 503 overloaded with Retry-After at once', async (t) => {
  const app = await buildTestApp(t, { config: { HASH_CONCURRENCY: 1, HASH_QUEUE_MAX: 2, LOGIN_MAX_FAILURES: 100 } })
  const { username } = await register(app)
  const answers = await storm(app, 24, username)
  const refused = answers.filter((a) => a.status === 503)
  const checked = answers.filter((a) => a.status === 401)
  t.equal(refused.length + checked.length, answers.length, `only 401 and 503: ${answers.map((a) => a.status)}`)
  t.ok(refused.length >= 12, `most are refused (${refused.length}): 1 runs, 2 wait`)
  t.ok(checked.length >= 3, `the admitted ones are checked (${checked.length})`)
  t.ok(refused.every((a) => a.code === 'overloaded' && /^\d+$/.test(a.retryAfter ?? '')), 'overloaded, with Retry-After')
  t.ok(checked.every((a) => a.code === 'invalid_credentials'))
  t.equal(app.hashGate.inFlight + app.hashGate.queued, 0, 'the gate is empty afterwards')
})

t.test('no login waits longer than HASH_QUEUE_TIMEOUT_MS for a thread', async (t) => {
  const config = { HASH_CONCURRENCY: 1, HASH_QUEUE_MAX: 1000, HASH_QUEUE_TIMEOUT_MS: 150, LOGIN_MAX_FAILURES: 100 }
  const app = await buildTestApp(t, { config })
  const { username } = await register(app)
  const answers = await storm(app, 30, username)
  const refused = answers.filter((a) => a.status === 503)
  t.ok(refused.length > 0, `some waited too long and were refused (${refused.length} of 30)`)
  t.ok(refused.every((a) => a.code === 'overloaded' && a.retryAfter === '1'))
  t.ok(answers.every((a) => a.status === 401 || a.status === 503))
  // the bound: the queue timeout, plus one hash running, plus the few queries around it (slack for a loaded machine)
  const slowest = Math.max(...refused.map((a) => a.ms))
  t.ok(slowest < 150 + 2000, `refusals came within the bound: ${slowest} ms`)
})

t.test('registration is refused at once when the queue is full', async (t) => {
  const app = await buildTestApp(t, { config: { HASH_CONCURRENCY: 1, HASH_QUEUE_MAX: 0 } })
  const answers = await Promise.all(Array.from({ length: 6 }, () =>
    app.inject({ method: 'POST', url: '/auth/register', payload: { username: freshName(), password: PASSWORD } })))
  const statuses = answers.map((r) => r.statusCode)
  t.ok(statuses.includes(201), `one is hashed: ${statuses}`)
  t.ok(statuses.includes(503), 'the others are refused')
  const refused = answers.filter((r) => r.statusCode === 503)
  t.ok(refused.every((r) => r.json().code === 'overloaded' && r.headers['retry-after']))
})

t.test('a full gate refuses logins and registrations before their body is read, parsed or validated', async (t) => {
  const app = await buildTestApp(t, { config: { HASH_CONCURRENCY: 1, HASH_QUEUE_MAX: 0, LOGIN_MAX_FAILURES: 100 } })
  const { username } = await register(app)
  const json = { 'content-type': 'application/json' }
  const halfABody = { url: '/auth/login', payload: '{"username": "half', headers: json }
  const broken = [
    halfABody,
    { url: '/auth/login', payload: { username }, headers: {} },
    { url: '/auth/login', payload: 'username=a&password=b', headers: { 'content-type': 'text/plain' } },
    { url: '/auth/register', payload: { password: 7 }, headers: {} },
    { url: '/auth/register', payload: '[', headers: json }
  ]
  type Request = { url: string, payload: string | object, headers: Record<string, string> }
  const send = (b: Request) => app.inject({ method: 'POST', ...b })
  // with room, each of these is a 400 or 415 about its body
  for (const b of broken) t.match((await send(b)).statusCode, /^4(00|15)$/, `with room: ${JSON.stringify(b.payload)}`)

  // one login admitted and hashing fills the gate (1 running, none may wait)
  const first = app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: 'wrong password' } })
  while (app.hashGate.admitted === 0) await new Promise((resolve) => setImmediate(resolve))
  const refused = await Promise.all(broken.map(send))
  for (const [i, res] of refused.entries()) {
    t.equal(res.statusCode, 503, `full: ${JSON.stringify(broken[i]?.payload)} is refused, not read`)
    t.equal(res.json().code, 'overloaded')
    t.match(res.headers['retry-after'], /^\d+$/)
  }
  t.equal((await first).statusCode, 401, 'the admitted login is answered')
  t.equal((await send(halfABody)).statusCode, 400, 'and with room again, bodies are read again')
})
