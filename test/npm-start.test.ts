import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { projectRoot } from '../src/paths.js'
import { tempDir } from './helper.js'

t.test('npm start serves what npm install built, without compiling first', async (t) => {
  const started = performance.now()
  // a process group of its own, so that nothing outlives the test whatever happens
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: tempDir(t) }
  })
  let out = ''
  child.stderr.on('data', (d) => {
    out += d
  })
  const base = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (d) => {
      out += d
      const url = /Server listening at (http:\/\/[^"]+)/.exec(out)?.[1]
      if (url) resolve(url)
    })
    child.on('close', () => resolve(undefined))
  })
  t.ok(base, `it listens (output: ${out.slice(-500)})`)
  t.equal((await fetch(`${base}/health/ready`)).status, 200)
  // the time is reported, not asserted: the machine is shared (npm run bench:startup measures it)
  t.comment(`npm start answered /health/ready after ${Math.round(performance.now() - started)} ms`)
  t.notMatch(out, /> tsc|prestart/, 'no compile step ran')
  // SIGTERM to npm alone (as a supervisor sends it) reaches the server: the script execs node
  const closed = once(child, 'close')
  t.teardown(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  })
  child.kill('SIGTERM')
  await closed
  t.match(out, /"signal":"SIGTERM","msg":"shutting down"/, 'the server shut down on the signal sent to npm')
  const stillUp = await fetch(`${base}/health/live`).then(
    () => true,
    () => false
  )
  t.notOk(stillUp, 'no server is left listening')
})
