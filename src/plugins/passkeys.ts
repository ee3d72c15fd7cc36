import fp from 'fastify-plugin'
import { webauthnOrigins } from '../config.js'
import { createAuditRepository } from '../audit/audit-repository.js'
import { createThrottledAttempt } from '../auth/throttled-attempt.js'
import { createUserRepository } from '../users/users-repository.js'
import { createPasskeyService, type PasskeyService } from '../passkeys/passkey-service.js'
import { createPasskeyLogin, type PasskeyLogin } from '../passkeys/passkey-login.js'

declare module 'fastify' {
  interface FastifyInstance {
    passkeys: PasskeyService
    passkeyLogin: PasskeyLogin
  }
}

/** The passkey service and the usernameless login, built from narrow dependencies; expired challenges are purged. */
export default fp(async (app) => {
  const { db, config } = app
  const audit = createAuditRepository(db)
  const users = createUserRepository(db)
  const passkeys = createPasskeyService({
    db,
    now: app.now,
    config: { rpId: config.WEBAUTHN_RP_ID, rpName: config.WEBAUTHN_RP_NAME || config.TOTP_ISSUER, origins: webauthnOrigins(config) },
    audit: (event, meta, who) => audit.record(event, app.now(), meta, who)
  })
  app.decorate('passkeys', passkeys)
  app.decorate('passkeyLogin', createPasskeyLogin({
    passkeys,
    findUser: (id) => users.findById(id),
    throttled: createThrottledAttempt(app),
    completeLogin: async (user, meta) => {
      const { sid, tokens } = await app.sessions.start(user.id, await users.rolesOf(user.id), meta, ['hwk', 'user'])
      await audit.record('login_succeeded', app.now(), meta, { actor: user.id, target: user.id, sessionId: sid, details: 'passkey' })
      return tokens
    }
  }))
  const timer = setInterval(() => {
    passkeys.purgeChallenges().catch((err) => app.log.error({ err }, 'purging WebAuthn challenges failed'))
  }, config.PURGE_INTERVAL * 1000)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}, { name: 'passkeys', dependencies: ['db', 'sessions'] })
