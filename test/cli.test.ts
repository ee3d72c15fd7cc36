import t from 'tap'
import { authApp, enrolledUser, get, login, post } from './auth/flow.js'
import { createTestDatabase, runScript, sharedKeys } from './helper.js'

const cli = (env: Record<string, string>, ...args: string[]) =>
  runScript('dist/src/cli.js', { LOG_LEVEL: 'silent', ...env }, undefined, args)

t.test('help, unknown commands and missing arguments', async (t) => {
  const help = await cli({}, '--help')
  t.equal(help.code, 0)
  for (const c of [
    'migrate',
    'create-admin',
    'unlock-user',
    'revoke-sessions',
    'revoke-keys',
    'check-key',
    'rotate-keys'
  ]) { t.match(help.stdout, c) }
  t.match((await cli({}, 'unlock-user', '--help')).stdout, /usage: npm run cli -- unlock-user <username>/)
  const unknown = await cli({}, 'frobnicate')
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /unknown command "frobnicate"/)
  const missing = await cli({}, 'unlock-user')
  t.equal(missing.code, 2)
  t.equal(missing.stderr, 'usage: npm run cli -- unlock-user <username>\n')
})

t.test('unlock-user, revoke-sessions and rotate-keys against a live database', async (t) => {
  const env = { DATABASE_URL: await createTestDatabase(t), ...sharedKeys() }
  const { app, clock } = await authApp(t, { config: { ...env, LOGIN_MAX_FAILURES: 2 } })
  const u = await enrolledUser(app, clock)
  const token = await login(app, clock, u)

  for (let i = 0; i < 2; i++) {
    await post(app, '/auth/login', { username: u.username, password: 'wrong wrong' })
    clock.advance(60_000)
  }
  t.equal((await post(app, '/auth/login', { username: u.username, password: u.password })).statusCode, 429)
  const unlock = await cli(env, 'unlock-user', u.username.toUpperCase())
  t.equal(unlock.code, 0, unlock.stderr)
  t.match((await post(app, '/auth/login', { username: u.username, password: u.password })).json(), {
    mfa_required: true
  })

  const revoke = await cli(env, 'revoke-sessions', u.username)
  t.equal(revoke.code, 0, revoke.stderr)
  await new Promise((resolve) => setTimeout(resolve, 600)) // the session check's cache
  t.equal((await get(app, '/auth/sessions', token)).statusCode, 401)
  t.match((await cli(env, 'revoke-sessions', 'nobody-here')).stderr, /no user named nobody-here/)
  const audited = await app.db.query<{ event: string; actor_user_id: number | null; ip: string }>(
    'SELECT event, actor_user_id, ip FROM audit_events WHERE target_user_id = ? ' +
      "AND event IN ('account_unlocked', 'sessions_revoked_by_admin') ORDER BY id",
    [u.id]
  )
  t.same(
    audited,
    [
      { event: 'account_unlocked', actor_user_id: null, ip: 'cli' },
      { event: 'sessions_revoked_by_admin', actor_user_id: null, ip: 'cli' }
    ],
    'both commands audited, by the command line'
  )

  const rotate = await cli(env, 'rotate-keys')
  t.equal(rotate.code, 0, rotate.stderr)
  const newKey = /# new JWT_PRIVATE_KEY\n(-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----)/.exec(
    rotate.stdout
  )?.[1]
  const oldPublic =
    /# current public key, for JWT_PREVIOUS_PUBLIC_KEYS\n(-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----)/.exec(
      rotate.stdout
    )?.[1]
  t.ok(newKey && oldPublic, 'prints the new private key and the current public key')
  const fresh = await login(app, clock, u)
  const rolled = await authApp(t, {
    config: { ...env, JWT_PRIVATE_KEY: newKey!, JWT_PREVIOUS_PUBLIC_KEYS: oldPublic! }
  })
  rolled.clock.set(clock.now())
  t.equal(
    (await get(rolled.app, '/auth/sessions', fresh)).statusCode,
    200,
    'following the printed steps keeps existing tokens working'
  )
})

t.test('K5: revoke-keys: every API key of an account stops, audited as the command line', async (t) => {
  const env = { DATABASE_URL: await createTestDatabase(t), ...sharedKeys() }
  const { app, clock } = await authApp(t, { config: env })
  const u = await enrolledUser(app, clock)
  const token = await login(app, clock, u)
  const keys = []
  for (const name of ['one', 'two']) {
    const res = await post(app, '/api/keys', { name, permissions: ['products:read'], expires_in_days: 1 }, token)
    keys.push(res.json().key as string)
  }
  for (const key of keys) t.equal((await get(app, '/api/products', key)).statusCode, 200)
  const revoke = await cli(env, 'revoke-keys', u.username)
  t.equal(revoke.code, 0, revoke.stderr)
  t.equal(revoke.stdout, `revoked 2 API keys of ${u.username}\n`)
  clock.advance(app.config.SESSION_CHECK_CACHE_MS) // this instance's cache of the keys
  for (const key of keys) t.equal((await get(app, '/api/products', key)).statusCode, 401)
  const [event] = await app.db.query<{ actor_user_id: number | null; ip: string; details: string }>(
    'SELECT actor_user_id, ip, details FROM audit_events WHERE target_user_id = ? AND event = ?',
    [u.id, 'api_key_revoked']
  )
  t.same(event, { actor_user_id: null, ip: 'cli', details: 'all keys (2)' })
  t.notMatch(revoke.stdout + revoke.stderr, keys[0]!.slice(9))
})
