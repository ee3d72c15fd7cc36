import t from 'tap'
import { connect, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
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

t.test('a login held to its Retry-After is dropped, never checked, when its client left during the hold', async (t) => {
  // a refusal says Retry-After: 1 (about one queue timeout)
  const config = { HASH_CONCURRENCY: 1, HASH_QUEUE_MAX: 0, HASH_QUEUE_TIMEOUT_MS: 1000, LOGIN_MAX_FAILURES: 100 }
  const app = await buildTestApp(t, { config })
  const { username } = await register(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const body = JSON.stringify({ username, password: 'wrong password' })
  const login = 'POST /auth/login HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  /** A connection that got a 503 with Retry-After to a login; its next request there is held. */
  async function refusedConnection () {
    const socket = connect(port, '127.0.0.1')
    const statuses: number[] = []
    socket.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3})/g)) statuses.push(Number(m[1]))
    })
    socket.on('error', () => {})
    socket.write(login)
    while (statuses.length === 0) await sleep(5)
    return { socket, statuses, refusedAt: Date.now() }
  }

  // the gate is full: one login hashing, none may wait; each connection gets its 503 and sends another login
  let hashing = app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: 'wrong' } })
  while (app.hashGate.admitted === 0) await sleep(1)
  const leaving = await Promise.all(Array.from({ length: 3 }, refusedConnection))
  const staying = await refusedConnection()
  for (const c of [...leaving, staying]) t.same(c.statuses, [503], 'refused at once, told when to retry')
  t.equal((await hashing).statusCode, 401)
  const failures = async () => (await app.db.query<{ n: number }>(
    'SELECT COUNT(*) AS n FROM audit_events WHERE event = ?', ['login_failed']))[0]!.n
  await sleep(100)
  const before = Number(await failures())
  for (const c of [...leaving, staying]) c.socket.write(login)
  await sleep(50)
  // three ways to leave: a FIN (end), a close, a reset
  leaving[0]!.socket.end()
  leaving[1]!.socket.destroy()
  leaving[2]!.socket.resetAndDestroy()
  for (let i = 0; i < 250 && staying.statuses.length < 2; i++) await sleep(20)
  t.equal(staying.statuses[1], 401, 'the client that stayed is answered')
  const waited = Date.now() - staying.refusedAt
  t.ok(waited >= 900, `after its Retry-After (1 s) from the refusal: ${waited} ms`)
  await sleep(200)
  t.equal(Number(await failures()) - before, 1, 'only its login was checked: the three that left were dropped')
  staying.socket.destroy()
  hashing = app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: 'wrong' } })
  t.equal((await hashing).statusCode, 401, 'and the gate still admits')
})
