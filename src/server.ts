import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig } from './config.js'
import { buildApp } from './app.js'
import { listenFailure, portProblem } from './port-check.js'
import { listen, type Listening } from './listen.js'

/**
 * glibc keeps each thread's freed argon2 blocks (19 MiB per hash by default) unless its mmap
 * threshold is fixed: about 80 MB more RSS once logins have run. `npm start` fixes it; say so
 * when the process was started some other way.
 */
function mallocSettingMissing () {
  // Node >= 20.13; missing from @types/node
  const report = process.report as NodeJS.ProcessReport & { excludeNetwork: boolean }
  const { excludeNetwork } = report
  report.excludeNetwork = true // the report is read for its glibc version only: no socket lookups
  const { glibcVersionRuntime } = (report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  report.excludeNetwork = excludeNetwork
  return glibcVersionRuntime !== undefined && process.env.MALLOC_MMAP_THRESHOLD_ === undefined
}

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

  const taken = config.PORT === 0 ? undefined : await portProblem(config.HOST, config.PORT)
  if (taken) {
    process.stderr.write(taken + '\n')
    process.exit(1)
  }

  // before the app (and its MySQL driver) is loaded; without the variable nothing of OpenTelemetry is
  const tracing = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('./tracing/start-tracing.js')).startTracing()
    : undefined

  const mallocMissing = mallocSettingMissing()
  let app
  try {
    app = await buildApp(config)
    await app.ready()
  } catch (err) {
    // Startup failures (store unreachable, failed migration) are one clear line, no stack.
    process.stderr.write(`Startup failed: ${(err as Error).message}\n`)
    process.exit(1)
  }

  if (mallocMissing) {
    app.log.warn(
      'MALLOC_MMAP_THRESHOLD_ is not set: password hashing memory stays with the process (about 80 MB); start ' +
        'with MALLOC_MMAP_THRESHOLD_=131072 as npm start does (docs/operations.md, Memory)'
    )
  }

  let listening: Listening | undefined
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    listening?.stopExtra()
    await app.close()
    await tracing?.shutdown() // the last spans are sent
  })

  try {
    listening = await listen(app, { host: config.HOST, port: config.PORT, sockets: config.LISTEN_SOCKETS })
  } catch (err) {
    // taken between the check and now: still one line
    process.stderr.write(listenFailure(config.HOST, config.PORT, err as NodeJS.ErrnoException) + '\n')
    await app.close()
    process.exit(1)
  }
  if (listening.sockets < config.LISTEN_SOCKETS) {
    app.log.info(
      { sockets: listening.sockets },
      'one listening socket: several (LISTEN_SOCKETS) need Linux and Node >= 22.12'
    )
  }
  // a person at a terminal gets one line to act on; logs stay JSON lines for machines
  if (process.stdout.isTTY) {
    const store = app.db.description.replace(`(${process.cwd()}/`, '(./')
    process.stdout.write(`secure-api listening on ${listening.url} — Swagger UI at /docs — store: ${store}\n`)
  }
}

await main()
