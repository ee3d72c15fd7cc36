import t from 'tap'
import { spawnSync } from 'node:child_process'
import { authApp, enrolledUser, loginTokens, post } from '../auth/flow.js'
import { buildTestApp } from '../helper.js'
import { freePort, samples } from './free-port.js'

const scrape = async (port: number, path = '/metrics') => fetch(`http://127.0.0.1:${port}${path}`)

t.test('A10: metrics are served on their own port, by route template, and pass promtool', async (t) => {
  const METRICS_PORT = await freePort()
  const { app, clock } = await authApp(t, { config: { METRICS_PORT } })
  t.equal(app.metrics?.port(), METRICS_PORT)

  const user = await enrolledUser(app, clock)
  await loginTokens(app, clock, user)
  t.equal((await post(app, '/auth/login', { username: user.username, password: 'wrong password 1' })).statusCode, 401)
  for (let id = 1; id <= 1000; id++) await app.inject({ method: 'GET', url: `/api/products/${id}` })

  const res = await scrape(METRICS_PORT)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const body = await res.text()

  const productSeries = samples(body, 'http_request_duration_seconds_count')
    .filter((s) => s.labels.route === '/api/products/:id')
  const n = productSeries.length
  t.ok(n >= 1 && n <= 3, `1,000 ids give ${n} series (one per status class)`)
  t.equal(productSeries.reduce((n, s) => n + s.value, 0), 1000, 'every request counted')
  t.notMatch(body, /route="\/api\/products\/\d/, 'no raw URL as a label')
  t.ok(productSeries.every((s) => /^[2-5]xx$/.test(s.labels.status_class!)), 'status classes only')

  const audit = Object.fromEntries(samples(body, 'secure_api_audit_events_total').map((s) => [s.labels.event, s.value]))
  t.equal(audit.login_succeeded, 1)
  t.equal(audit.login_failed, 1)
  t.equal(audit.registered, 1)
  t.equal(audit.user_disabled, 0, 'every audit event name has a series from the start')
  const logins = samples(body, 'secure_api_login_attempts_total')
  t.same(logins.find((s) => s.labels.outcome === 'invalid_credentials')?.value, 1)
  t.same(logins.find((s) => s.labels.outcome === 'success')?.value, 1)

  for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_utilization', 'nodejs_heap_size_used_bytes',
    'secure_api_db_pool_connections', 'secure_api_db_pool_waiting', 'secure_api_password_hashes_in_flight',
    'secure_api_password_hashes_queued', 'secure_api_password_operations_in_progress']) {
    t.ok(samples(body, name).length > 0, `${name} is exposed`)
  }
  t.equal(samples(body, 'secure_api_db_pool_connections').length, 2, 'in_use and idle')

  const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' })
  t.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`)

  t.equal((await scrape(METRICS_PORT, '/')).status, 404, 'only /metrics')
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'not on the API port')
})

t.test('per-IP limit rejections and problems are counted', async (t) => {
  const METRICS_PORT = await freePort()
  const app = await buildTestApp(t, { store: 'sqlite', config: { METRICS_PORT, RATE_LIMIT_AUTH_MAX: 2 } })
  for (let i = 0; i < 4; i++) await post(app, '/auth/login', { username: 'nobody', password: 'whatever it is 1' })
  const body = await (await scrape(METRICS_PORT)).text()
  t.same(samples(body, 'secure_api_rate_limit_rejections_total').find((s) => s.labels.bucket === 'auth')?.value, 2)
  t.same(samples(body, 'secure_api_problems_total').find((s) => s.labels.code === 'rate_limited')?.value, 2)
  t.same(samples(body, 'secure_api_login_attempts_total').find((s) => s.labels.outcome === 'rate_limited')?.value, 2)
  t.equal(samples(body, 'secure_api_db_pool_connections').length, 0, 'SQLite has no pool')
})

t.test('without METRICS_PORT nothing is measured or served', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite' })
  t.equal(app.metrics, null)
  t.equal(app.hasPlugin('metrics'), true)
})

t.test('a taken metrics port stops startup', async (t) => {
  const { createServer } = await import('node:net')
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const METRICS_PORT = (blocker.address() as { port: number }).port
  await t.rejects(buildTestApp(t, { store: 'sqlite', config: { METRICS_PORT } }), /EADDRINUSE/)
})
