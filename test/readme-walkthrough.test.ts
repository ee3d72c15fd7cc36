import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, symlinkSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { projectRoot } from '../src/paths.js'
import { buildTestApp, tempDir } from './helper.js'

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
const section = readme.slice(
  readme.indexOf('## Walk-through'),
  readme.indexOf('\n## ', readme.indexOf('## Walk-through') + 1)
)
const block = (fence: string) => new RegExp('```' + fence + '\\n([\\s\\S]*?)\\n```').exec(section)?.[1] ?? ''

/** The top-level JSON documents jq printed (each starts with `{` and ends with `}` at column 0). */
const documents = (out: string) =>
  [...out.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((m) => JSON.parse(m[0]) as Record<string, unknown>)

function keysOf (value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, into))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k)
      keysOf(v, into)
    }
  }
  return into
}

t.test("the README's walk-through runs as pasted, and shows every field of the answers", async (t) => {
  const script = block('bash')
  t.match(script, /API=\$\{API:-http:\/\/127\.0\.0\.1:3000\}/, 'found the walk-through block')
  // real clock: the block computes its code from the secret and the time, as a reader would
  const app = await buildTestApp(t, { store: 'sqlite' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  // a folder of its own (qr.png lands there) that still finds the project's packages, as the project folder would
  const cwd = tempDir(t)
  symlinkSync(join(projectRoot, 'node_modules'), join(cwd, 'node_modules'))
  const run = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      'bash',
      ['-e', '-o', 'pipefail', '-c', script],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', API: api }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })
    )
  })
  t.equal(run.code, 0, run.out.slice(-2000))
  const answers = documents(run.out)
  t.equal(answers.length, 6, 'register, password-only login, login, create, list, refresh')
  t.match(answers, [
    { enrollment: { secret: String } },
    { enrollment_required: true, enrollment_token: String },
    { access_token: String, refresh_token: String, recovery_codes: Array },
    { price: '2000.00' },
    { items: [{ name: 'Gaming Laptop' }] },
    { access_token: String, refresh_token: String }
  ])
  t.match(run.out, /\n204\n$/, 'logout: 204')
  t.same([...readFileSync(join(cwd, 'qr.png')).subarray(1, 4)], [...Buffer.from('PNG')], 'qr.png is a PNG')

  const shown = block('jsonc')
  for (const key of keysOf(answers)) t.ok(shown.includes(`"${key}"`), `the README's sample answers show "${key}"`)
})
