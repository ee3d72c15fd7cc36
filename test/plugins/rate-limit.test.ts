import t from 'tap'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helper.js'
import { tcpRelay } from '../tcp-relay.js'

const LIMIT = 3
const limits = { RATE_LIMIT_AUTH_MAX: LIMIT, RATE_LIMIT_MAX: LIMIT }

/** One request per bucket: /auth/* and the rest are counted apart. */
const routes = [
  { method: 'POST' as const, url: '/auth/refresh', payload: { refresh_token: 'x' } },
  { method: 'GET' as const, url: '/health/live' }
]

/** Every way a client can claim to be someone else. */
const spoofs = (n: number): Record<string, string> => ({
  'x-forwarded-for': `203.0.113.${n}`,
  'x-real-ip': `198.51.100.${n}`,
  forwarded: `for=192.0.2.${n}`,
  'true-client-ip': `192.0.2.${n}`
})

const send = (
  app: FastifyInstance,
  route: (typeof routes)[number],
  remoteAddress: string,
  headers: Record<string, string> = {}
) => app.inject({ ...route, remoteAddress, headers })

t.test("TRUST_PROXY off: forwarding headers change nothing, the limit follows the connection's address", async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { ...limits, TRUST_PROXY: false } })
  for (const route of routes) {
    const statuses = []
    for (let n = 1; n <= LIMIT + 2; n++) statuses.push((await send(app, route, '10.0.0.1', spoofs(n))).statusCode)
    t.same(
      statuses.map((s) => s === 429),
      [false, false, false, true, true],
      `${route.url}: a new forwarded address each time does not reset the count`
    )
    t.not(
      (await send(app, route, '10.0.0.2')).statusCode,
      429,
      `${route.url}: another connection address has its own budget`
    )
    const echoed = await send(app, route, '10.0.0.1', { 'x-forwarded-for': '10.0.0.2' })
    t.equal(echoed.statusCode, 429, `${route.url}: claiming an address with budget left does not borrow it`)
  }
})

t.test('TRUST_PROXY on: the limit follows the forwarded client address', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { ...limits, TRUST_PROXY: true } })
  for (const route of routes) {
    const statuses = []
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push((await send(app, route, '10.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).statusCode)
    }
    t.same(
      statuses.map((s) => s === 429),
      [false, false, false, true],
      `${route.url}: one forwarded client uses up its budget`
    )
    t.not(
      (await send(app, route, '10.0.0.1', { 'x-forwarded-for': '203.0.113.8' })).statusCode,
      429,
      `${route.url}: another client behind the same proxy still has its own`
    )
  }
})

/** A local port nothing listens on: bound by us a moment ago, then released. */
async function closedPort () {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test(
  'Redis unreachable: the limits fail open, the API stays up, and the log says so (without the Redis password)',
  async (t) => {
    let logs = ''
    const logStream = new Writable({
      write (chunk, _enc, done) {
        logs += chunk
        done()
      }
    })
    const REDIS_URL = `redis://:redis-pass-${process.pid}@127.0.0.1:${await closedPort()}`
    const app = await buildTestApp(t, {
      store: 'sqlite',
      logStream,
      config: { ...limits, REDIS_URL, LOG_LEVEL: 'warn' }
    })
    for (const route of routes) {
      const statuses = []
      for (let i = 0; i <= LIMIT + 2; i++) statuses.push((await send(app, route, '10.0.0.1')).statusCode)
      t.notOk(
        statuses.some((s) => s === 429 || s >= 500),
        `${route.url}: served past the limit, no 429 or 5xx (${statuses})`
      )
    }
    t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready: the limiter is not a dependency')
    const lines = logs
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string })
    const alerts = lines.filter((l) => /rate limits are off/.test(l.msg))
    t.equal(alerts.length, 1, 'logged once for the outage, not once per request or reconnect attempt')
    t.equal(alerts[0]?.level, 50, 'at error level')
    t.notMatch(logs, `redis-pass-${process.pid}`, 'the Redis password is not logged')
  }
)

t.test('Redis down, then back: fail open while down, limits again once it is back, both logged', async (t) => {
  let logs = ''
  const logStream = new Writable({
    write (chunk, _enc, done) {
      logs += chunk
      done()
    }
  })
  const target = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379')
  const redis = await tcpRelay(t, { host: target.hostname, port: Number(target.port || 6379) }, { up: false })
  const REDIS_URL = `redis://127.0.0.1:${redis.port}`
  const app = await buildTestApp(t, { store: 'sqlite', logStream, config: { ...limits, REDIS_URL, LOG_LEVEL: 'warn' } })
  // a unique address per run: the real Redis is shared with other files and reruns
  const ip = `10.${process.pid % 250}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
  const route = routes[0]!
  const down = []
  for (let i = 0; i <= LIMIT + 1; i++) down.push((await send(app, route, ip)).statusCode)
  t.same(down, [401, 401, 401, 401, 401], 'down: every request is served')
  t.match(logs, /rate limits are off/)

  redis.restore()
  // ioredis reconnects on its own, backing off up to 2 s between attempts: wait for it, generously
  for (let i = 0; i < 600 && !/rate limits are back/.test(logs); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.match(logs, /rate limits are back/, 'the recovery is logged')
  const up = []
  for (let i = 0; i <= LIMIT; i++) up.push((await send(app, route, ip)).statusCode)
  t.same(up, [401, 401, 401, 429], 'back: the limit applies again')
})
