import t from 'tap'
import { authApp, get, login, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'

/** Query values that pass or nearly pass the schema but name no number SQL could compare with. */
const NOT_VALUES = [
  'from=2016-12-31T23:59:60Z',
  'to=2016-12-31T23:59:60Z',
  'from=2016-12-31T23:59:60%2B00:00',
  'to=1990-12-31T15:59:60-08:00',
  'from=2026-02-30T00:00:00Z',
  'from=2026-13-01T00:00:00Z',
  'from=%2B275760-09-13T00:00:01Z',
  'from=yesterday',
  'user_id=1e400',
  'user_id=NaN',
  'user_id=Infinity',
  'limit=1e400',
  'cursor=1e3'
]

t.test('item 10: what cannot be a date or a finite number is a 400, the same on MySQL and SQLite', async (t) => {
  const answers: Record<string, Array<{ status: number; body: unknown }>> = {}
  for (const store of stores) {
    const { app, clock } = await authApp(t, { store })
    const token = await login(app, clock, await userWithRole(app, clock, 'admin'))
    answers[store] = []
    for (const query of NOT_VALUES) {
      const res = await get(app, `/api/audit?${query}`, token)
      t.equal(res.statusCode, 400, `${store}: ${query}`)
      t.match(res.headers['content-type'], /application\/problem\+json/)
      const { request_id: _, ...body } = res.json()
      answers[store].push({ status: res.statusCode, body })
    }
    const ok = await get(app, '/api/audit?from=2016-12-31T23:59:59Z&to=2099-01-01T00:00:00%2B01:00', token)
    t.equal(ok.statusCode, 200, `${store}: a real range is fine`)
    t.ok(ok.json().items.length > 0, `${store}: and finds the events in it`)
  }
  t.same(answers.sqlite, answers.mysql, 'identical answers on both stores')
  t.match(
    answers.mysql![0]!.body,
    { code: 'validation_failed', errors: [{ pointer: '/querystring/from' }] },
    'the leap second is named'
  )
})
