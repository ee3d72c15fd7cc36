import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
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
  await sleep(450) // a fresh sample window
  const until = Date.now() + 600
  while (Date.now() < until) { /* a blocked event loop */ }
  await sleep(20)
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
