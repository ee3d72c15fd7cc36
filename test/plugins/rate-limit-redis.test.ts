import t from 'tap'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import { buildTestApp } from '../helper.js'
import { tcpRelay } from '../tcp-relay.js'
import { LIMIT, limits, routes, send } from './rate-limit-requests.js'

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
  for (let i = 0; i < 600 && !/rate limits are back/.test(logs); i++) { await new Promise((resolve) => setTimeout(resolve, 50)) }
  t.match(logs, /rate limits are back/, 'the recovery is logged')
  const up = []
  for (let i = 0; i <= LIMIT; i++) up.push((await send(app, route, ip)).statusCode)
  t.same(up, [401, 401, 401, 429], 'back: the limit applies again')
})
