import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../src/paths.js'

const run = promisify(execFile)
const bin = (path: string) => join(projectRoot, 'node_modules', path)
// offline and quiet: no usage reports, no update checks
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' }

/** Runs a linter on openapi.yaml; a non-zero exit still yields its output. */
async function lint (args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: projectRoot, env, maxBuffer: 16 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

// both at once: together they take about as long as Spectral alone
const redocly = lint([bin('@redocly/cli/bin/cli.js'), 'lint', 'openapi.yaml', '--format', 'json'])
const spectral = lint([
  bin('@stoplight/spectral-cli/dist/index.js'),
  'lint',
  '-r',
  '.spectral.mjs',
  'openapi.yaml',
  '-f',
  'json',
  '-q'
])

t.test('Redocly (recommended rules, no ignore file): 0 errors', async (t) => {
  const res = await redocly
  const report = JSON.parse(res.stdout) as {
    totals: { errors: number }
    problems: { ruleId: string; message: string }[]
  }
  t.equal(report.totals.errors, 0, JSON.stringify(report.problems.slice(0, 5)))
  t.equal(res.code, 0)
})

type SpectralResult = { code: string; severity: number; path: string[]; message: string }

t.test('Spectral with the OWASP API Security Top 10 ruleset (.spectral.mjs): 0 errors', async (t) => {
  const res = await spectral
  const errors = (JSON.parse(res.stdout || '[]') as SpectralResult[]).filter((r) => r.severity === 0)
  t.same(
    errors.map((e) => `${e.code} at ${e.path.join('.')}`),
    []
  )
  t.equal(res.code, 0, res.stderr)
})

t.test('the Spectral exceptions are per operation, one rule each', async (t) => {
  type Ruleset = { default: { overrides: { files: string[]; rules: Record<string, string> }[] } }
  const { default: ruleset } = (await import(join(projectRoot, '.spectral.mjs'))) as Ruleset
  t.ok(ruleset.overrides.length > 0)
  for (const o of ruleset.overrides) {
    for (const f of o.files) { t.match(f, /^openapi\.yaml#\/paths\/[^/]+\/(get|put|post|patch|delete)$/, `${f} names one operation`) }
    t.same(Object.values(o.rules), ['off'], 'one rule off, nothing else changed')
  }
})
