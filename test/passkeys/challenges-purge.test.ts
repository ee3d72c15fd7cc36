import t from 'tap'
import { testServices } from '../services.js'

const count = async (db: Awaited<ReturnType<typeof testServices>>['db']) =>
  (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM webauthn_challenges'))[0]!.n

t.test('the purge deletes the WebAuthn challenges that have expired, and only those', async (t) => {
  const { clock, db, services } = await testServices(t)
  await services.passkeyLogin.options()
  await services.passkeyLogin.options()
  clock.advance(5 * 60_000 + 1) // past the 5 minutes a challenge lives
  await services.passkeyLogin.options()
  t.equal(await count(db), 3)
  t.equal(await services.passkeys.purgeChallenges(), 2, 'the two expired ones')
  t.equal(await count(db), 1, 'the fresh one stays')
  t.equal(await services.passkeys.purgeChallenges(), 0, 'a second purge finds nothing')
})
