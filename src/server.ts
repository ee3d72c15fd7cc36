import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig } from './config.js'
import { buildApp } from './app.js'

/** The process: read the environment, build the app, listen, and shut down gracefully. */
async function main () {
  let config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(err.message + '\n')
    process.exit(1)
  }

  let app
  try {
    app = await buildApp(config)
    await app.ready()
  } catch (err) {
    // Startup failures (store unreachable, failed migration) are one clear line, no stack.
    process.stderr.write(`Startup failed: ${(err as Error).message}\n`)
    process.exit(1)
  }

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })

  await app.listen({ host: config.HOST, port: config.PORT })
}

await main()
