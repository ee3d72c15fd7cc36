import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, type AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildTestApp } from '../helper.js'

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url })

async function expectOverloaded (t: Test, app: FastifyInstance) {
  const routes = [['GET', '/api/products'], ['POST', '/auth/login'], ['GET', '/.well-known/jwks.json']] as const
  for (const [method, url] of routes) {
    const payload = method === 'POST' ? { username: 'x', password: 'y' } : undefined
    const res = await app.inject({ method, url, payload })
    t.equal(res.statusCode, 503, `${method} ${url}: 503`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(res.json().code, 'overloaded')
    t.match(res.headers['retry-after'], /^\d+$/, 'with Retry-After')
  }
  t.equal((await get(app, '/health/live')).statusCode, 200, 'liveness keeps answering')
  const ready = await get(app, '/health/ready')
  t.equal(ready.statusCode, 503, 'readiness says so')
  t.equal(ready.json().code, 'overloaded')
}

t.test('A10: past the heap threshold requests get 503 overloaded; live answers, ready says so', async (t) => {
  const config = { OVERLOAD_MAX_HEAP_USED_MB: 1, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 0, OVERLOAD_SAMPLE_INTERVAL_MS: 100 }
  const app = await buildTestApp(t, { store: 'sqlite', config })
  await sleep(300)
  await expectOverloaded(t, app)
})

t.test('past the event-loop delay threshold too', async (t) => {
  const config = { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 20, OVERLOAD_SAMPLE_INTERVAL_MS: 400 }
  const app = await buildTestApp(t, { store: 'sqlite', config })
  // the threshold is on a sample window's mean delay (less the 10 ms resolution): the loop blocked 100 ms in every
  // turn keeps each window's mean far above 20 ms until the checks end, however late a busy machine runs them (one
  // 1.5 s block was seen for one 400 ms window only, which a loaded test run could miss)
  const blocker = setInterval(() => {
    const until = performance.now() + 100
    while (performance.now() < until) { /* a blocked event loop */ }
  }, 1)
  t.teardown(() => clearInterval(blocker))
  for (let i = 0; i < 100 && !app.isUnderPressure(); i++) await sleep(10)
  t.ok(app.isUnderPressure(), 'the blocked loop is seen')
  await expectOverloaded(t, app)
})

t.test('under the thresholds requests pass', async (t) => {
  const config = {
    OVERLOAD_MAX_HEAP_USED_MB: 4096,
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 0,
    OVERLOAD_SAMPLE_INTERVAL_MS: 100
  }
  const app = await buildTestApp(t, { store: 'sqlite', config })
  await sleep(300)
  t.equal((await get(app, '/health/ready')).statusCode, 200)
  t.equal((await get(app, '/api/products')).statusCode, 401, 'reaches the route (which wants a token)')
})

/** One keep-alive connection to `port`: each `send` writes a GET and resolves with the status line's code. */
function connection (port: number) {
  const socket = connect(port, '127.0.0.1')
  let buffered = ''
  let waiting: ((status: number) => void) | undefined
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    buffered += chunk
    const head = buffered.indexOf('\r\n\r\n')
    const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1] ?? NaN)
    if (head < 0 || buffered.length < head + 4 + length) return
    const status = Number(buffered.slice(9, 12))
    buffered = buffered.slice(head + 4 + length)
    waiting?.(status)
  })
  return {
    send: (path: string) => new Promise<number>((resolve) => {
      waiting = resolve
      socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: keep-alive\r\n\r\n`)
    }),
    close: () => socket.destroy()
  }
}

t.test('a connection that got 503 with Retry-After is not read again before it; others are', async (t) => {
  const config = { OVERLOAD_MAX_HEAP_USED_MB: 1, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 0, OVERLOAD_SAMPLE_INTERVAL_MS: 100 }
  const app = await buildTestApp(t, { store: 'sqlite', config })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  await sleep(300)
  const timed = async (answer: Promise<number>) => {
    const started = performance.now()
    return { status: await answer, ms: performance.now() - started }
  }

  for (const path of ['/api/products', '/.well-known/jwks.json']) {
    const refused = connection(port)
    t.teardown(refused.close)
    const first = await timed(refused.send(path))
    t.equal(first.status, 503, `${path}: refused`)
    t.ok(first.ms < 1900, `at once: ${Math.round(first.ms)} ms`)
    const other = connection(port)
    t.teardown(other.close)
    t.equal((await timed(other.send(path))).status, 503, 'a fresh connection is read (and refused) at once')
    t.equal(await other.send('/health/live'), 200)
    const again = await timed(refused.send(path))
    t.equal(again.status, 503)
    t.ok(again.ms >= 1900, `the same connection is read only after Retry-After (2 s): ${Math.round(again.ms)} ms`)
  }

  const health = connection(port)
  t.teardown(health.close)
  t.equal(await health.send('/health/ready'), 503, 'readiness says overloaded')
  const live = await timed(health.send('/health/live'))
  t.equal(live.status, 200)
  t.ok(live.ms < 1900, `a health check's connection is never held: ${Math.round(live.ms)} ms`)
})
