import t from 'tap'
import { authApp, code, EVERY_HASH_WAITS, post } from './flow.js'

// Before recovery-code replacement skipped its empty DELETE, InnoDB gap locks deadlocked
// concurrent first confirmations and about half of 40 of these answered 500.
t.test('40 concurrent first enrollments all succeed (no InnoDB deadlock)', async (t) => {
  // the 40 accounts are made at once too: every hash may wait for a thread (no 503 overloaded here)
  const { app, clock } = await authApp(t, { config: EVERY_HASH_WAITS })
  const meta = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }
  const results = await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const { enrollment } = await app.services.auth.createAccount(
        `concurrent${i}x${process.pid}`,
        'a fine passphrase',
        'editor',
        meta
      )
      return post(app, '/auth/2fa/verify', { code: code(enrollment.secret, clock) }, enrollment.enrollment_token)
    })
  )
  t.same(
    results.map((r) => r.statusCode).filter((s) => s !== 200),
    []
  )
})
