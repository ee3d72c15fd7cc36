import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { projectRoot } from '../src/paths.js'
import { tempDir } from './helper.js'

t.test('npm start serves what npm install built, without compiling first', async (t) => {
  const started = performance.now()
  // a process group of its own: npm does not pass SIGTERM on to the server, the group gets it
  const child = spawn('npm', ['start'], {
    cwd: projectRoot, detached: true, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: tempDir(t) }
  })
  let out = ''
  child.stderr.on('data', (d) => { out += d })
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
  const closed = once(child, 'close')
  process.kill(-child.pid!, 'SIGTERM')
  await closed
})
