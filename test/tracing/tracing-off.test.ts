import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { projectRoot } from '../../src/paths.js'
import { tempDir } from '../helper.js'
import { freePort } from '../metrics/free-port.js'

/** Starts the server with a module log, asks for readiness, stops it; returns the modules it loaded. */
async function modulesLoaded (t: Test, env: Record<string, string>) {
  const dir = tempDir(t)
  const port = await freePort()
  const logger = join(projectRoot, 'test/tracing/module-log.mjs')
  const moduleLog = join(dir, 'modules.log')
  const child = spawn(process.execPath, ['--import', logger, 'dist/src/server.js'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), DATA_DIR: dir, MODULE_LOG: moduleLog, ...env }
  })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  const closed = once(child, 'close')
  for (let i = 0; i < 200 && !out.includes('Server listening'); i++) await sleep(100)
  t.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200)
  child.kill('SIGTERM')
  await closed
  return existsSync(moduleLog) ? readFileSync(moduleLog, 'utf8') : ''
}

const OTEL = /@opentelemetry|@fastify\/otel|dist\/src\/tracing\//

t.test('without OTEL_EXPORTER_OTLP_ENDPOINT nothing of OpenTelemetry is loaded', async (t) => {
  const modules = await modulesLoaded(t, {})
  t.match(modules, /dist\/src\/app\.js/, 'the log sees the app\'s modules')
  t.notMatch(modules, OTEL)
})

t.test('with it, the tracing modules are loaded (the check above can fail)', async (t) => {
  const modules = await modulesLoaded(t, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })
  t.match(modules, OTEL)
})
