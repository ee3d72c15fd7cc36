import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { projectRoot } from '../src/paths.js'
import { buildTestApp, dropDatabase, runScript, tempDir, TEST_MYSQL_URL, uniqueDatabaseName } from './helper.js'

const listeningAt = (out: string) => /Server listening at (http:\/\/[^"]+)/.exec(out)?.[1]

/** Starts the compiled server on a free port, fetches `paths` once it listens, then sends SIGTERM. */
async function serveAndStop (env: Record<string, string>, paths: string[]) {
  let statuses: Promise<number[]> | undefined
  const run = await runScript('dist/src/server.js', { PORT: '0', ...env }, (out, child) => {
    const base = listeningAt(out)
    if (!base || statuses) return
    statuses = Promise.all(paths.map((p) => fetch(base + p).then((r) => r.status)))
    statuses.finally(() => child.kill('SIGTERM'))
  })
  return { ...run, statuses: await statuses }
}

t.test('serves on the embedded store with no configuration, and exits 0 on SIGTERM', async (t) => {
  const run = await serveAndStop({ DATA_DIR: tempDir(t) }, ['/health/ready', '/docs/', '/openapi.json'])
  t.same(run.statuses, [200, 200, 200])
  t.equal(run.code, 0, 'exit 0 after SIGTERM')
  t.match(run.stdout, /SQLite \(.*secure-api\.db\)/, 'logs which store is in use')
  t.match(run.stdout, /shutting down/)
  const lines = run.stdout.split('\n').filter(Boolean)
  t.ok(
    lines.every((line) => {
      try {
        return typeof JSON.parse(line) === 'object'
      } catch {
        return false
      }
    }),
    'not on a terminal: every line is a JSON log line (no human ready line)'
  )
  const glibc =
    (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime !==
    undefined
  if (glibc) {
    t.match(
      run.stdout,
      /MALLOC_MMAP_THRESHOLD_ is not set/,
      "on glibc, started without npm start's memory setting: says so"
    )
  } else t.notMatch(run.stdout, /MALLOC_MMAP_THRESHOLD_/, 'not glibc: the setting does not apply')
  t.equal(run.stderr, '')
})

t.test('serves on MySQL, creating the database when missing', async (t) => {
  const name = uniqueDatabaseName()
  t.teardown(() => dropDatabase(name))
  const run = await serveAndStop(
    { DATABASE_URL: `${TEST_MYSQL_URL}/${name}`, DATA_DIR: tempDir(t), MALLOC_MMAP_THRESHOLD_: '131072' },
    ['/health/ready']
  )
  t.same(run.statuses, [200])
  t.notMatch(run.stdout, /MALLOC_MMAP_THRESHOLD_/, 'started with the memory setting: no warning')
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, new RegExp(`MySQL \\(127\\.0\\.0\\.1:3306/${name}\\)`), 'logs the store, without credentials')
})

t.test('closing (what SIGTERM triggers) lets an in-flight request finish', async (t) => {
  let release: () => void = () => {}
  const app = await buildTestApp(t, {
    store: 'sqlite',
    before: (app) => {
      app.get('/test/slow', async () => {
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return { done: true }
      })
    }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const inFlight = fetch(`${base}/test/slow`).then(async (r) => ({
    status: r.status,
    connection: r.headers.get('connection'),
    body: await r.json()
  }))
  await new Promise((resolve) => setTimeout(resolve, 100))
  const started = Date.now()
  const closing = app.close()
  setTimeout(() => release(), 200)
  t.same(
    await inFlight,
    { status: 200, connection: 'close', body: { done: true } },
    'the request in flight completed, and its client was told to let go of the socket'
  )
  await closing
  t.ok(Date.now() - started < 10_000, 'closing ended with the request, not after the keep-alive timeout (72 s)')
})

t.test('docs/operations.md shows the launch line npm start runs (its memory settings)', async (t) => {
  const start = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).scripts.start as string
  t.match(start, /^MALLOC_MMAP_THRESHOLD_=\d+ exec node .*dist\/src\/server\.js$/)
  const operations = readFileSync(join(projectRoot, 'docs', 'operations.md'), 'utf8')
  const line = start.replace(' exec node ', ' node ')
  t.ok(operations.split('\n').includes(line), 'docs/operations.md, Memory: the same line (exec only matters under npm)')
})
