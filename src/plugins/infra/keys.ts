import fp from 'fastify-plugin'
import { loadKeys, type Keys } from '../../tokens/keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    keys: Keys
  }
}

/** Key material (see loadKeys), checked against the store's fingerprint. */
export default fp(async (app) => {
  app.decorate('keys', await loadKeys(app.config, app.db, app.now(), app.log))
}, { name: 'keys', dependencies: ['config', 'db'] })
