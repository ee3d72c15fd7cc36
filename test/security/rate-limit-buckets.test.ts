import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helper.js'

const AUTH_MAX = 3

/** Every /auth/* operation of the app's own OpenAPI document, path parameters filled in. */
function authOperations (app: FastifyInstance) {
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, unknown>> }
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/auth/'))
    .flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x') }))
    )
}

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/** Spellings of one path that the router maps to the same route. */
function encodedSpellings (path: string): string[] {
  const [, first, ...rest] = path.split('/') as [string, string, ...string[]]
  const last = rest.at(-1)!
  return [
    `/${hex('a')}uth/${rest.join('/')}`,
    `/${[...first].map(hex).join('')}/${rest.join('/')}`,
    `/auth/${[...rest.slice(0, -1), hex(last[0]!) + last.slice(1)].join('/')}`,
    `/%61%75th/${rest.join('/')}`
  ]
}

t.test('item 1: every /auth/* route is counted in the /auth/* bucket however its path is spelled', async (t) => {
  const app = await buildTestApp(t, {
    store: 'sqlite',
    config: { RATE_LIMIT_AUTH_MAX: AUTH_MAX, RATE_LIMIT_MAX: 1000 }
  })
  const operations = authOperations(app)
  t.ok(operations.length >= 13, `${operations.length} /auth/* operations`)
  let n = 0
  for (const { method, path } of operations) {
    const remoteAddress = `10.1.${Math.floor(++n / 250)}.${n % 250}`
    const spellings = encodedSpellings(path)
    const statuses: number[] = []
    for (const url of spellings) {
      const res = await app.inject({ method, url, remoteAddress, payload: method === 'GET' ? undefined : {} })
      t.not(res.statusCode, 404, `${method} ${url} routes to ${path}`)
      statuses.push(res.statusCode)
    }
    t.same(
      statuses.map((s) => s === 429),
      [false, false, false, true],
      `${method} ${path}: the 4th encoded request is over the /auth/* limit`
    )
    const plain = await app.inject({ method, url: path, remoteAddress, payload: method === 'GET' ? undefined : {} })
    t.equal(plain.statusCode, 429, `${method} ${path}: plain spelling shares the same bucket`)
  }
})

t.test('item 1: spellings that do not route are 404 and use the general bucket, not a fresh /auth/* one', async (t) => {
  const app = await buildTestApp(t, {
    store: 'sqlite',
    config: { RATE_LIMIT_AUTH_MAX: AUTH_MAX, RATE_LIMIT_MAX: 1000 }
  })
  const remoteAddress = '10.2.0.1'
  for (const url of ['//auth/login', '/AUTH/login', '/auth/login/', '/auth//login', '/auth/%2Flogin']) {
    const res = await app.inject({ method: 'POST', url, remoteAddress, payload: {} })
    t.equal(res.statusCode, 404, `${url} does not route`)
    t.equal(res.headers['x-ratelimit-limit'], '1000', `${url} is counted in the general bucket`)
  }
  const statuses = []
  for (let i = 0; i <= AUTH_MAX; i++) {
    statuses.push((await app.inject({ method: 'POST', url: '/auth/login', remoteAddress, payload: {} })).statusCode)
  }
  t.same(statuses, [400, 400, 400, 429], 'the /auth/* budget was untouched by them, and is then spent')
})
