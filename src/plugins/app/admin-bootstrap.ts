import fp from 'fastify-plugin'
import { ApiError } from '../../errors.js'
import { AuthErrors } from '../../auth/errors.js'

const STARTUP_META = { ip: 'startup', userAgent: 'secure-api startup', requestId: 'startup' }

/**
 * The first administrator from ADMIN_USERNAME / ADMIN_PASSWORD, created at startup while no
 * administrator exists, with a pending 2FA enrollment: logging in with the password answers
 * `enrollment_required` with the token for the QR code, so no secret ever reaches a log. A
 * name already held by an account that is not an administrator stops the start: that account
 * is never promoted (whoever registered it first would otherwise become admin).
 */
export default fp(
  async (app) => {
    const { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } = app.config
    if (username === '') return
    const adminExists = () => app.services.admin.hasAdministrator()
    if (await adminExists()) return
    try {
      const { user } = await app.services.auth.createAccount(username, password, 'admin', STARTUP_META)
      app.log.info(
        { username: user.username },
        'created the first administrator from ADMIN_USERNAME; log in with its password to enroll two-factor ' +
          'authentication'
      )
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      // another instance starting at the same moment created it
      if (err.code === AuthErrors.usernameTaken.code && (await adminExists())) return
      if (err.code === AuthErrors.usernameTaken.code) {
        throw new Error(
          `ADMIN_USERNAME ${username} belongs to an account that is not an administrator; choose another name`
        )
      }
      throw new Error(`ADMIN_USERNAME ${username} cannot be created: ${err.detail ?? err.title}`)
    }
  },
  { name: 'admin-bootstrap', dependencies: ['services'] }
)
