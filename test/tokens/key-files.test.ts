import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { authApp, enrolledUser, get, loginTokens } from '../auth/flow.js'
import { createTestDatabase, sharedKeys, tempDir } from '../helper.js'
import { decode, pem, rsaKeyPair } from './forge.js'

t.test(
  'JWT_PRIVATE_KEY_FILE signs; JWT_PREVIOUS_PUBLIC_KEYS_FILE (several PEM blocks) keeps earlier keys verifying',
  async (t) => {
    const dir = tempDir(t)
    const file = (name: string, text: string) => {
      const path = join(dir, name)
      writeFileSync(path, text, { mode: 0o600 })
      return path
    }
    const [oldest, old, current] = [rsaKeyPair(), rsaKeyPair(), rsaKeyPair()]
    const base = { DATABASE_URL: await createTestDatabase(t), TOTP_ENCRYPTION_KEY: sharedKeys().TOTP_ENCRYPTION_KEY }

    const issued: string[] = []
    let u: Awaited<ReturnType<typeof enrolledUser>> | undefined
    let now = 0
    for (const key of [oldest, old]) {
      const { app, clock } = await authApp(t, {
        config: { ...base, JWT_PRIVATE_KEY_FILE: file(`signing-${issued.length}.pem`, pem(key.privateKey)) }
      })
      if (now) clock.set(now)
      u ??= await enrolledUser(app, clock)
      issued.push((await loginTokens(app, clock, u)).access_token)
      now = clock.now()
    }
    const jwksOf = async (app: Awaited<ReturnType<typeof authApp>>['app']) =>
      ((await app.inject({ url: '/.well-known/jwks.json' })).json().keys as Array<{ kid: string }>).map((k) => k.kid)
    t.not(decode(issued[0]!)[0].kid, decode(issued[1]!)[0].kid, 'each instance signed with the key in its file')

    const { app, clock } = await authApp(t, {
      config: {
        ...base,
        JWT_PRIVATE_KEY_FILE: file('current.pem', pem(current.privateKey)),
        JWT_PREVIOUS_PUBLIC_KEYS_FILE: file('previous.pem', `${pem(old.publicKey)}\n${pem(oldest.publicKey)}`)
      }
    })
    clock.set(now)
    const fresh = (await loginTokens(app, clock, u!)).access_token
    const kids = await jwksOf(app)
    t.same(
      kids,
      [decode(fresh)[0].kid, decode(issued[1]!)[0].kid, decode(issued[0]!)[0].kid],
      "JWKS: the file's key first, then both previous keys"
    )
    for (const [i, token] of [...issued, fresh].entries()) {
      t.equal((await get(app, '/auth/sessions', token)).statusCode, 200, `token ${i} verifies`)
    }

    const { app: pruned, clock: prunedClock } = await authApp(t, {
      config: {
        ...base,
        JWT_PRIVATE_KEY_FILE: join(dir, 'current.pem'),
        JWT_PREVIOUS_PUBLIC_KEYS_FILE: file('previous-2.pem', pem(old.publicKey))
      }
    })
    prunedClock.set(clock.now())
    t.equal(
      (await get(pruned, '/auth/sessions', issued[0]!)).statusCode,
      401,
      'a key dropped from the file no longer verifies'
    )
    t.equal((await get(pruned, '/auth/sessions', issued[1]!)).statusCode, 200, 'the one still listed does')
  }
)

t.test('an unreadable or wrong key file stops the start with a clear error', async (t) => {
  const dir = tempDir(t)
  await t.rejects(authApp(t, { store: 'sqlite', config: { JWT_PRIVATE_KEY_FILE: join(dir, 'missing.pem') } }), {
    code: 'ENOENT'
  })
  const small = join(dir, 'small.pem')
  writeFileSync(small, pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey))
  await t.rejects(
    authApp(t, { store: 'sqlite', config: { JWT_PRIVATE_KEY_FILE: small } }),
    /RSA keys of 2048 to 8192 bits/
  )
})
