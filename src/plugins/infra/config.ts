import fp from 'fastify-plugin'
import type { Config } from '../../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Milliseconds since the epoch; injected so tests can move time (TOTP, expiries). */
    now: () => number
  }
}

export interface ConfigPluginOptions {
  config: Config
  now?: () => number
}

/** The validated configuration and the clock every time-dependent decision reads. */
export default fp<ConfigPluginOptions>(async (app, opts) => {
  app.decorate('config', opts.config)
  app.decorate('now', opts.now ?? Date.now)
}, { name: 'config' })
