import { buildApp } from '../app.js'
import { ConfigError, loadConfig } from '../config.js'

/** `npm run db:migrate`: opening the store applies pending migrations; then close. */
try {
  const app = await buildApp(loadConfig(process.env))
  await app.ready()
  await app.close()
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? '' : 'Migration failed: '}${(err as Error).message}\n`)
  process.exit(1)
}
