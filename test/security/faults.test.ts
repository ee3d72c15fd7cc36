import t from 'tap'
import { authApp, enrolledUser, get, login, post } from '../auth/flow.js'
import { createTestDatabase, TEST_MYSQL_URL } from '../helper.js'
import { tcpRelay } from '../tcp-relay.js'

t.test(
  'faults: with the database cut, 503 problem+json and no crash; it recovers by itself; acknowledged writes survive',
  async (t) => {
    const url = new URL(await createTestDatabase(t))
    const mysql = new URL(TEST_MYSQL_URL)
    const proxy = await tcpRelay(t, { host: mysql.hostname, port: Number(mysql.port || 3306) })
    const { app, clock } = await authApp(t, {
      config: { DATABASE_URL: `mysql://root@127.0.0.1:${proxy.port}${url.pathname}`, SESSION_CHECK_CACHE_MS: 0 }
    })
    const token = await login(app, clock, await enrolledUser(app, clock))
    const acknowledged: number[] = []
    for (let i = 0; i < 5; i++) {
      const res = await post(app, '/api/products', { name: `kept ${i}`, price: '1.00', quantity: 1 }, token)
      t.equal(res.statusCode, 201)
      acknowledged.push(res.json().id)
    }

    proxy.cut()
    for (const res of [
      await get(app, '/api/products', token),
      await post(app, '/api/products', { name: 'lost?', price: 1, quantity: 1 }, token),
      await get(app, '/health/ready')
    ]) {
      t.equal(res.statusCode, 503, `${res.statusCode} while the database is away`)
      t.match(res.headers['content-type'], /application\/problem\+json/)
      t.equal(res.json().code, 'store_unavailable')
    }
    t.equal((await get(app, '/health/live')).statusCode, 200, 'the process keeps serving')

    proxy.restore()
    let ready = 0
    const start = Date.now()
    while (ready !== 200 && Date.now() - start < 60_000) {
      // a generous bound: the pool reconnects on its own
      ready = (await get(app, '/health/ready')).statusCode
      if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    t.equal(ready, 200, `ready again ${Date.now() - start} ms after the database came back`)
    const list = (await get(app, '/api/products?limit=100', token)).json()
    for (const id of acknowledged) {
      t.ok(
        list.items.some((p: { id: number }) => p.id === id),
        `acknowledged product ${id} is there`
      )
    }
  }
)
