import t from 'tap'
import { authApp, enrolledUser, get, login, post } from '../auth/flow.js'
import { buildTestApp, stores } from '../helper.js'
import { pem, rsaKeyPair } from '../tokens/forge.js'
import { MAX_ISSUES } from '../../schemas/problem.js'
import { MAX_SESSIONS_LISTED, MAX_VERIFICATION_KEYS } from '../../schemas/sessions.js'

// Lists in responses are bounded as the document says (maxItems), however much the request or the store holds.

t.test(`a validation problem lists at most ${MAX_ISSUES} violations`, async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite' })
  const extra = Object.fromEntries(Array.from({ length: MAX_ISSUES + 20 }, (_, i) => [`unknown${i}`, i]))
  for (const payload of [{ username: 'someone', password: 'long enough pass', ...extra }, extra]) {
    const res = await post(app, '/auth/register', payload)
    t.equal(res.statusCode, 400)
    t.equal(res.json().errors.length, MAX_ISSUES)
  }
  const few = await post(app, '/auth/register', { username: 'x' })
  t.ok(few.json().errors.length < MAX_ISSUES, 'fewer violations are all listed')
})

for (const store of stores) {
  t.test(
    `${store}: GET /auth/sessions lists the newest ${MAX_SESSIONS_LISTED} live sessions, the current one among them`,
    async (t) => {
      const { app, clock } = await authApp(t, { store })
      const u = await enrolledUser(app, clock)
      const meta = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }
      for (let i = 0; i < MAX_SESSIONS_LISTED + 5; i++) {
        await app.services.sessions.start(u.id, ['editor'], meta, ['pwd', 'otp'])
        clock.advance(1000)
      }
      const token = await login(app, clock, u)
      const items = (await get(app, '/auth/sessions', token)).json().items as { current: boolean }[]
      t.equal(items.length, MAX_SESSIONS_LISTED)
      t.ok(items[0]!.current, 'the newest, current session comes first')
    }
  )
}

t.test(`the JWKS holds at most ${MAX_VERIFICATION_KEYS} keys: more earlier keys refuse to start`, async (t) => {
  const previous = Array.from({ length: MAX_VERIFICATION_KEYS }, () => pem(rsaKeyPair().publicKey)).join('\n')
  await t.rejects(
    buildTestApp(t, { store: 'sqlite', config: { JWT_PREVIOUS_PUBLIC_KEYS: previous } }),
    /at most 9 earlier keys/
  )
})
