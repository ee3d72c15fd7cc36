import t from 'tap'
import { buildTestApp } from '../helper.js'
import { LIMIT, limits, routes, send } from './rate-limit-requests.js'

/** Every way a client can claim to be someone else. */
const spoofs = (n: number): Record<string, string> => ({
  'x-forwarded-for': `203.0.113.${n}`,
  'x-real-ip': `198.51.100.${n}`,
  forwarded: `for=192.0.2.${n}`,
  'true-client-ip': `192.0.2.${n}`
})

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

t.test(
  'each bucket has its own limit and count: RATE_LIMIT_AUTH_MAX for /auth/*, RATE_LIMIT_MAX for the rest',
  async (t) => {
    const app = await buildTestApp(t, { store: 'sqlite', config: { RATE_LIMIT_AUTH_MAX: 2, RATE_LIMIT_MAX: 4 } })
    const [auth, api] = routes as [(typeof routes)[number], (typeof routes)[number]]
    const refusals = async (route: typeof auth, n: number) => {
      const refused = []
      for (let i = 0; i < n; i++) refused.push((await send(app, route, '10.0.0.9')).statusCode === 429)
      return refused
    }
    t.same(await refusals(auth, 3), [false, false, true], '/auth/*: RATE_LIMIT_AUTH_MAX')
    t.same(await refusals(api, 5), [false, false, false, false, true], 'the rest: RATE_LIMIT_MAX, untouched by /auth/*')
    const refused = await send(app, api, '10.0.0.9')
    t.match(refused.json(), {
      code: 'rate_limited',
      status: 429,
      detail: /^Limit of 4 per minute reached; retry after /
    })
    t.equal(refused.headers['x-ratelimit-limit'], '4')
  }
)
