import t from 'tap'
import { buildTestApp, stores } from '../helper.js'

for (const store of stores) {
  t.test(`health on ${store}`, async (t) => {
    const app = await buildTestApp(t, { store })

    const live = await app.inject({ url: '/health/live' })
    t.equal(live.statusCode, 200)
    t.same(live.json(), { status: 'ok' })

    const ready = await app.inject({ url: '/health/ready' })
    t.equal(ready.statusCode, 200)
    t.same(ready.json(), { status: 'ok', store })
  })
}

t.test('readiness is 503 problem+json when the store stops answering', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite' })
  await app.db.close()
  const down = await app.inject({ url: '/health/ready' })
  t.equal(down.statusCode, 503)
  t.match(down.headers['content-type'], /application\/problem\+json/)
  t.equal(down.json().code, 'store_unavailable')
})
