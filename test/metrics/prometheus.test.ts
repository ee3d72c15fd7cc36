import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { authApp, enrolledUser, loginTokens } from '../auth/flow.js'
import { tempDir } from '../helper.js'
import { freePort } from './free-port.js'

/** Polls a PromQL instant query until `ok` accepts its first value (or ~30 s pass). */
async function waitFor (base: string, query: string, ok: (v: number) => boolean) {
  let last: unknown
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`)
      last = await res.json()
      const value = (last as { data?: { result?: Array<{ value: [number, string] }> } }).data?.result?.[0]?.value[1]
      if (value !== undefined && ok(Number(value))) return Number(value)
    } catch (err) { last = err } // not up yet
    await sleep(250)
  }
  throw new Error(`${query}: no acceptable value; last answer ${JSON.stringify(last)}`)
}

t.test('a real Prometheus scrapes a running instance and sees a login move a counter', async (t) => {
  const METRICS_PORT = await freePort()
  const { app, clock } = await authApp(t, { config: { METRICS_PORT } })
  const user = await enrolledUser(app, clock)

  const dir = tempDir(t)
  const promPort = await freePort()
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global: { scrape_interval: 1s, scrape_timeout: 900ms }',
    'scrape_configs:',
    '  - job_name: secure-api',
    `    static_configs: [{ targets: ['127.0.0.1:${METRICS_PORT}'] }]`
  ].join('\n') + '\n')
  const prometheus = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  prometheus.stderr.on('data', (d) => { log += d })
  const exited = new Promise((resolve) => prometheus.once('exit', resolve))
  t.teardown(async () => { prometheus.kill('SIGTERM'); await exited })
  const base = `http://127.0.0.1:${promPort}`

  try {
    t.equal(await waitFor(base, 'up{job="secure-api"}', (v) => v === 1), 1, 'up == 1')
    const query = 'secure_api_audit_events_total{job="secure-api",event="login_succeeded"}'
    t.equal(await waitFor(base, query, (v) => v === 0), 0, 'the series is there before any login')
    await loginTokens(app, clock, user)
    t.equal(await waitFor(base, query, (v) => v > 0), 1, 'the login is counted')
    const logins = 'secure_api_login_attempts_total{job="secure-api",route="/auth/login",outcome="success"}'
    t.equal(await waitFor(base, logins, (v) => v > 0), 1)
  } catch (err) {
    t.comment(log.slice(-2000))
    throw err
  }
})
