// npm run bench: the hot paths on MariaDB with seeded data, driven by autocannon from a second process.
// Prints one table (scenario, req/s, p50, p99, RSS) with PASS / FALL SHORT per target and writes
// bench/results/latest.json. Bench-only routes (baselines) are registered here, never by the app.
import { fork } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import argon2 from 'argon2'
import { createConnection } from 'mysql2/promise'
import { buildApp } from '../dist/src/app.js'
import { loadConfig } from '../dist/src/config.js'
import { codeAt } from '../dist/src/auth/totp.js'
import { toProduct } from '../dist/src/products/products-service.js'

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
const DB = 'secure_api_bench'
const USERS = 200
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 50
const rss = () => Math.round(process.memoryUsage().rss / 1048576)
const log = (...a) => process.stderr.write(a.join(' ') + '\n')

const admin = await createConnection({ uri: MYSQL })
await admin.query(`DROP DATABASE IF EXISTS ${DB}`)
await admin.query(`CREATE DATABASE ${DB}`)

const config = loadConfig({}, {
  DATABASE_URL: `${MYSQL}/${DB}`, LOG_LEVEL: 'silent', DATA_DIR: '/tmp/secure-api-bench',
  RATE_LIMIT_MAX: 1000000, RATE_LIMIT_AUTH_MAX: 1000000, LOGIN_MAX_FAILURES: 100, DB_POOL_SIZE: 20
})
const app = await buildApp(config)
const PAGE_SQL = 'SELECT id, name, description, price_cents, quantity, version, created_at, updated_at FROM products ORDER BY id LIMIT 20'
let staticPage
app.get('/bench/baseline', async () => staticPage)
app.get('/bench/db-baseline', async () => ({ items: (await app.db.query(PAGE_SQL)).map(toProduct), next_cursor: null }))
await app.ready()

async function seedProducts (count) {
  const [[{ n }]] = await admin.query(`SELECT COUNT(*) AS n FROM ${DB}.products`)
  for (let done = Number(n); done < count;) {
    const batch = Math.min(5000, count - done)
    const rows = Array.from({ length: batch }, (_, i) => `('product ${done + i}', 'seeded', ${(done + i) % 100000}, ${(done + i) % 50}, 1, ${Date.now()}, ${Date.now()})`)
    await admin.query(`INSERT INTO ${DB}.products (name, description, price_cents, quantity, version, created_at, updated_at) VALUES ${rows.join(',')}`)
    done += batch
  }
}

const rows = [{ scenario: '(idle, before seeding)', rps: '', p50: '', p99: '', rss: rss(), non2xx: '', errors: '' }]
log(`seeding ${USERS} users and 10,000 products`)
const meta = { ip: '127.0.0.1', userAgent: 'bench', requestId: 'bench' }
const users = []
for (let i = 0; i < USERS; i += 20) {
  users.push(...await Promise.all(Array.from({ length: Math.min(20, USERS - i) }, async (_, j) => {
    const username = `bench${i + j}`
    const { enrollment } = await app.authService.createAccount(username, 'a bench passphrase', 'editor', meta)
    const step = Date.now() - 60_000
    await app.inject({ method: 'POST', url: '/auth/2fa/verify', headers: { authorization: `Bearer ${enrollment.enrollment_token}` }, payload: { code: codeAt(enrollment.secret, step) } })
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: 'a bench passphrase', code: codeAt(enrollment.secret, step + 30_000) } })
    return { username, secret: enrollment.secret, token: res.json().access_token }
  })))
}
const tokens = users.map((u) => u.token)
await seedProducts(10_000)
staticPage = (await app.inject({ url: '/bench/db-baseline' })).json()

const idleRss = rss()
rows.push({ scenario: '(idle, after seeding)', rps: '', p50: '', p99: '', rss: idleRss, non2xx: '', errors: '' })
await app.listen({ host: '127.0.0.1', port: 0 })
const url = `http://127.0.0.1:${app.server.address().port}`

function load (o) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./load.mjs', import.meta.url))
    child.once('message', resolve)
    child.once('error', reject)
    child.send({ url, connections: CONNECTIONS, duration: DURATION, ...o })
  })
}

// BENCH_ONLY=list,db-baseline runs just those (for profiling one path); targets then compare what ran
const only = process.env.BENCH_ONLY?.split(',')
async function scenario (name, o) {
  if (only && !only.some((prefix) => name.startsWith(prefix))) return { rps: NaN, p50: NaN, p99: NaN }
  log(`running ${name}`)
  const r = await load(o)
  const row = { scenario: name, rps: Math.round(r.rps), p50: r.p50, p99: r.p99, rss: rss(), non2xx: r.non2xx, errors: r.errors }
  rows.push(row)
  return row
}

const maxId = 10_000
const ids = Array.from({ length: 1000 }, (_, i) => `/api/products/${1 + ((i * 7919) % maxId)}`)
const baseline = await scenario('baseline', { path: '/bench/baseline' })
const dbBaseline = await scenario('db-baseline', { path: '/bench/db-baseline' })
const list = await scenario('list', { path: '/api/products?limit=20', tokens })
const listRss = rss()
await scenario('get', { paths: ids, tokens })
await scenario('write', { path: '/api/products', method: 'POST', tokens, body: { name: 'bench write', price: '9.99', quantity: 1 } })

// login: the full password + TOTP login at saturation, against a bare argon2 loop in this process
// (the password step: a TOTP code works once per account and step, so full logins cannot be repeated
// at saturation; the code check is a few microseconds next to argon2)
const loginPaths = '/auth/login'
const loginBodies = users.map((u) => ({ username: u.username, password: 'a bench passphrase' }))
const login = await scenario('login (password step)', { path: loginPaths, method: 'POST', body: loginBodies, connections: 8 })
const hash = await argon2.hash('a bench passphrase', { type: argon2.argon2id, memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: config.ARGON2_PARALLELISM })
const started = performance.now()
let verified = 0
await Promise.all(Array.from({ length: 8 }, async () => {
  while (performance.now() - started < DURATION * 1000) { await argon2.verify(hash, 'a bench passphrase'); verified++ }
}))
const argonRps = Math.round(verified / ((performance.now() - started) / 1000))
rows.push({ scenario: 'argon2 verify loop', rps: argonRps, p50: '', p99: '', rss: rss(), non2xx: 0, errors: 0 })

const [mixedList] = await Promise.all([
  scenario('mixed: list', { path: '/api/products?limit=20', tokens, connections: 25 }),
  load({ path: loginPaths, method: 'POST', body: loginBodies, connections: 8 })
])

const deepCursor = async () => {
  const res = await app.inject({ url: '/api/products?limit=20&sort=id&order=desc', headers: { authorization: `Bearer ${tokens[0]}` } })
  return res.json().next_cursor
}
const scale = {}
for (const size of [10_000, 1_000_000]) {
  if (only && !only.some((prefix) => prefix.startsWith('scale'))) break
  if (size > 10_000) { log('seeding 1,000,000 products'); await seedProducts(size) }
  const cursor = await deepCursor()
  scale[size] = {
    first: await scenario(`scale ${size}: first page`, { path: '/api/products?limit=20', tokens }),
    deep: await scenario(`scale ${size}: deep page`, { path: `/api/products?limit=20&sort=id&order=desc&cursor=${cursor}`, tokens })
  }
}

if (!only || only.some((prefix) => prefix.startsWith('soak'))) log('soak: list for 60 s')
const samples = []
const sampler = setInterval(() => samples.push(rss()), 5000)
await scenario('soak (list, 60 s)', { path: '/api/products?limit=20', tokens, duration: 60 })
clearInterval(sampler)

const targets = [
  ['list req/s >= 75% of db-baseline', list.rps >= 0.75 * dbBaseline.rps, `${Math.round(100 * list.rps / dbBaseline.rps)}%`],
  ['scale p50 at 1M <= 1.5x at 10k (first page)', (scale[1_000_000]?.first.p50 ?? NaN) <= 1.5 * Math.max(scale[10_000]?.first.p50 ?? NaN, 1), `${scale[10_000]?.first.p50} -> ${scale[1_000_000]?.first.p50} ms`],
  ['scale p50 at 1M <= 1.5x at 10k (deep page)', (scale[1_000_000]?.deep.p50 ?? NaN) <= 1.5 * Math.max(scale[10_000]?.deep.p50 ?? NaN, 1), `${scale[10_000]?.deep.p50} -> ${scale[1_000_000]?.deep.p50} ms`],
  ['login >= 80% of the bare argon2 loop', login.rps >= 0.8 * argonRps, `${Math.round(100 * login.rps / argonRps)}%`],
  ['mixed list p99 <= 3x list p99 alone', mixedList.p99 <= 3 * Math.max(list.p99, 1), `${list.p99} -> ${mixedList.p99} ms`],
  ['RSS <= 150 MB after list', listRss <= 150, `${listRss} MB`],
  ['soak RSS grows < 10% from 10 s to the end', samples.length >= 3 && samples.at(-1) < 1.1 * samples[1], `${samples[1]} -> ${samples.at(-1)} MB`]
]

const pad = (v, n) => String(v).padEnd(n)
console.log(`${pad('scenario', 34)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('RSS MB', 8)}non-2xx`)
for (const r of rows) console.log(`${pad(r.scenario, 34)}${pad(r.rps, 10)}${pad(r.p50, 9)}${pad(r.p99, 9)}${pad(r.rss, 8)}${r.non2xx}`)
console.log('')
const notRun = (measured) => /NaN|undefined/.test(measured)
for (const [name, ok, measured] of targets) console.log(`${notRun(measured) ? 'NOT RUN    ' : ok ? 'PASS       ' : 'FALL SHORT '} ${name}${notRun(measured) ? '' : `: ${measured}`}`)
if (!only) writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, duration: DURATION, connections: CONNECTIONS, rows, targets: targets.map(([name, ok, measured]) => ({ name, ok, measured })), soakRss: samples }, null, 2) + '\n')
await app.close()
await admin.query(`DROP DATABASE IF EXISTS ${DB}`)
await admin.end()
process.exit(0)
