import fp from 'fastify-plugin'
import type { Driver } from '../../db/driver.js'
import { openStore } from '../../db/open-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Driver
  }
}

/** The migrated store chosen by DATABASE_URL (see openStore), closed with the app. */
export default fp(async (app) => {
  const driver = await openStore(app.config, app.log)
  app.addHook('onClose', () => driver.close())
  app.decorate('db', driver)
}, { name: 'db', dependencies: ['config'] })
