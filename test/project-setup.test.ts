import t from 'tap'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../src/paths.js'

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8')
const pkg = JSON.parse(read('package.json'))
const lock = JSON.parse(read('package-lock.json'))

t.test('npm install builds; npm start only runs what was built', async (t) => {
  t.equal(pkg.scripts.prepare, 'node scripts/prepare.mjs', 'prepare: npm install and npm ci compile dist/')
  t.match(read('scripts/prepare.mjs'), /tsconfig\.build\.json/, 'prepare compiles what npm run build compiles')
  t.notOk(pkg.scripts.prestart, 'nothing compiles before start')
  t.match(
    pkg.scripts.start,
    /^(\w+=\S+ )*exec node (--\S+ )*dist\/src\/server\.js$/,
    "exec: npm's signals reach the server"
  )
  t.ok(read('.gitignore').split('\n').includes('dist/'), 'dist/ is not committed')
  t.notOk(pkg.dependencies['pino-pretty'], 'no pretty-printer in the production path')
})

t.test('an install without the compiler (--omit=dev) does not fail: it says how to build', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secure-api-prepare-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(join(projectRoot, 'scripts/prepare.mjs'), join(dir, 'prepare.mjs'))
  const run = spawnSync(process.execPath, ['prepare.mjs'], { cwd: dir, encoding: 'utf8' })
  t.equal(run.status, 0, 'the install goes on')
  t.match(run.stderr, /npm ci && npm run build\), then npm prune --omit=dev/, 'one line says what to run')
})

t.test('one test file runs green; the full run holds the coverage thresholds', async (t) => {
  t.equal(pkg.tap['allow-incomplete-coverage'], true, 'a single file reports its coverage without failing on it')
  t.match(pkg.scripts.test, /\btap --no-allow-incomplete-coverage$/, 'npm test fails below the thresholds')
  t.equal(pkg.scripts.lint, 'eslint .', 'ESLint (neostandard) over the whole tree')
  t.match(pkg.scripts.test, /npm run lint && /, 'npm test fails on a lint error')
  for (const kind of ['statements', 'branches', 'functions', 'lines']) {
    t.type(pkg.tap[kind], 'number', `${kind} threshold`)
  }
})

t.test('npm test makes sure of its prerequisites; CI runs what the README says', async (t) => {
  t.equal(pkg.scripts.pretest, 'bash scripts/test-prereqs.sh')
  const ci = read('.ci/run')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !/^(set|cd) /.test(l))
  t.same(ci, ['npm ci --no-audit --no-fund', 'npm test', 'npm run test:node-versions'])
  const readme = read('README.md')
  for (const command of ['npm test', 'npm run test:node-versions']) {
    t.ok(readme.includes(command), `the README names ${command}`)
  }
})

t.test(
  'engines: Node 22 or later, proved on 22 and 24 by installing with --engine-strict and running the seed flow',
  async (t) => {
    t.equal(pkg.engines.node, '>=22')
    t.equal(pkg.scripts['test:node-versions'], 'bash scripts/test-node-versions.sh')
    const script = read('scripts/test-node-versions.sh')
    t.match(script, /NODE_VERSIONS:-22 24/)
    t.match(script, /npm ci --engine-strict/)
    t.match(script, /npx tap --disable-coverage test\/http-scripts\.test\.ts test\/clients\/sdk\.test\.ts/)
  }
)

t.test('every install script of a dependency is allowed or denied on purpose (no warning at install)', async (t) => {
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([path, entry]) => path && entry.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 13))
  t.ok(withScripts.length > 0)
  for (const name of new Set(withScripts)) {
    t.type(pkg.allowScripts[name], 'boolean', `${name}: allowScripts says true or false`)
  }
})
