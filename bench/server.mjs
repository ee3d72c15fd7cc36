// The service under test, in its own process, so its RSS is its own (not the seeding's, nor the
// load generator's). The same app `npm start` serves, plus the two bench-only baseline routes,
// registered here and nowhere else. Talks to bench/run.mjs over IPC:
//   in:  { config }                     -> out: { url }
//   in:  { memory: true }                -> out: { memory: process.memoryUsage() }
//   in:  { cpu: true }                   -> out: { cpu: process.cpuUsage() }
//   in:  { listening: true }             -> out: { listening: { node: its version, sockets: how many listen } }
//   in:  { argon2: { seconds, concurrency? } } -> out: { argon2: { rps: verifications per second, concurrency } }
//   in:  { accepts: 'start' | 'stop' }    -> out: { accepts: [] | [[client port, when accepted (epoch ms)], ...] }
//   in:  { profile: 'start', kind? } | { profile: 'stop' } -> out: { profile: true | the profile since 'start'
//        (node:inspector): of the CPU, or with kind 'heap' of the allocations }
//   in:  { close: true }                 -> closes and exits
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import argon2 from 'argon2'
import { buildApp } from '../dist/src/app.js'
import { loadConfig } from '../dist/src/config.js'
import { toProduct } from '../dist/src/products/products-service.js'
import { listen } from '../dist/src/listen.js'

const PAGE_SQL =
  'SELECT id, name, description, price_cents, quantity, version, created_at, updated_at FROM products ORDER BY id ' +
    'LIMIT 20'

/**
 * The bare argon2 loop: verifications with the service's own parameters, in the service's process and thread pool,
 * `concurrency` at once (by default as many as the service lets logins hash: HASH_CONCURRENCY).
 */
async function argon2Loop (config, { seconds, concurrency = config.HASH_CONCURRENCY }) {
  const hash = await argon2.hash('a bench passphrase', {
    type: argon2.argon2id,
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM
  })
  const started = performance.now()
  let verified = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < seconds * 1000) {
        await argon2.verify(hash, 'a bench passphrase')
        verified++
      }
    })
  )
  return { rps: verified / ((performance.now() - started) / 1000), concurrency }
}

// the driver went away (finished, crashed or interrupted): so does the service
process.once('disconnect', () => process.exit(0))

process.once('message', async ({ config: env }) => {
  const config = loadConfig({}, env)
  const app = await buildApp(config)
  let staticPage
  const dbPage = async () => ({ items: (await app.db.query(PAGE_SQL)).map(toProduct), next_cursor: null })
  app.get('/bench/baseline', async () => (staticPage ??= await dbPage()))
  app.get('/bench/db-baseline', dbPage)
  // as npm start listens: LISTEN_SOCKETS sockets where the platform allows (src/listen.ts)
  const listening = await listen(app, { host: '127.0.0.1', port: 0, sockets: config.LISTEN_SOCKETS })
  // when each connection was accepted, between 'start' and 'stop' (the storm's: a request the service has not
  // accepted the connection of waits in the kernel, unseen by the service's own request timings)
  let accepts = null
  let profiler
  app.server.on('connection', (socket) => {
    accepts?.push([socket.remotePort, performance.timeOrigin + performance.now()])
  })
  process.on('message', async (m) => {
    if (m.memory) process.send({ memory: process.memoryUsage() })
    if (m.cpu) process.send({ cpu: process.cpuUsage() })
    if (m.listening) process.send({ listening: { node: process.version, sockets: listening.sockets } })
    if (m.accepts === 'start') process.send({ accepts: (accepts = []) })
    if (m.accepts === 'stop') {
      process.send({ accepts })
      accepts = null
    }
    if (m.profile === 'start') {
      profiler = new Session()
      profiler.connect()
      profiler.heap = m.kind === 'heap'
      if (profiler.heap) {
        // every allocation of 1 KB on average, counted even when the GC has freed it since
        await profiler.post('HeapProfiler.startSampling', {
          samplingInterval: 1024,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true
        })
      } else {
        await profiler.post('Profiler.enable')
        await profiler.post('Profiler.setSamplingInterval', { interval: 100 })
        await profiler.post('Profiler.start')
      }
      process.send({ profile: true })
    }
    if (m.profile === 'stop') {
      const { profile } = await profiler.post(profiler.heap ? 'HeapProfiler.stopSampling' : 'Profiler.stop')
      profiler.disconnect()
      process.send({ profile })
    }
    if (m.argon2) process.send({ argon2: await argon2Loop(config, m.argon2) })
    if (m.close) {
      listening.stopExtra()
      await app.close()
      process.exit(0)
    }
  })
  process.send({ url: `http://127.0.0.1:${app.server.address().port}` })
})
