import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { projectRoot } from '../src/paths.js'
import { runScript, tempDir } from './helper.js'

t.test('on a terminal: one human line once it answers, with the logs', async (t) => {
  // `script` (util-linux) runs the server on a pseudo-terminal, as a person's shell would
  const child = spawn('script', ['-qfec', `exec ${process.execPath} dist/src/server.js`, '/dev/null'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: tempDir(t) }
  })
  let out = ''
  const ready = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (d) => {
      out += d
      const line = /^secure-api listening on .*$/m.exec(out.replaceAll('\r', ''))?.[0]
      if (line) resolve(line)
    })
    child.on('close', () => resolve(undefined))
  })
  t.ok(ready, `the ready line (output: ${out.slice(-500)})`)
  t.match(ready, /^secure-api listening on http:\/\/127\.0\.0\.1:\d+ — Swagger UI at \/docs — store: SQLite \(\/.*\/secure-api\.db\)$/)
  const base = /listening on (http:\/\/\S+)/.exec(ready ?? '')?.[1]
  const answers = await Promise.all(['/health/ready', '/docs/'].map(async (path) => {
    const res = await fetch(base + path, { headers: { connection: 'close' } })
    await res.arrayBuffer()
    return res.status
  }))
  t.same(answers, [200, 200], 'it answers at the address it printed, Swagger UI at /docs')
  const closed = once(child, 'close')
  process.kill(Number(/"pid":(\d+)/.exec(out)?.[1]), 'SIGTERM')
  t.same(await closed, [0, null], 'stops gracefully, exit 0')
})

t.test('a taken port: one line and exit 1, before the store is opened or keys are made', async (t) => {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, resolve))
  t.teardown(() => holder.close())
  const port = (holder.address() as AddressInfo).port
  const dataDir = join(tempDir(t), 'data')
  const run = await runScript('dist/src/server.js', { PORT: String(port), DATA_DIR: dataDir })
  t.equal(run.code, 1)
  t.equal(run.stderr, `Cannot listen on 127.0.0.1:${port}: the port is already in use (another instance?)\n`)
  t.equal(run.stdout, '', 'nothing else: no stack trace, no log line')
  t.notOk(existsSync(dataDir), 'the data directory (store, generated keys) was never touched')
})
