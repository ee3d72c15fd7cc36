import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { projectRoot } from '../src/paths.js'

/** The layering docs/architecture.md describes, checked on the source itself. */
const src = join(projectRoot, 'src')
const files = (readdirSync(src, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ path: relative(projectRoot, join(src, f)), text: readFileSync(join(src, f), 'utf8') }))

const isHttpLayer = (path: string) =>
  path === 'src/app.ts' || path.startsWith('src/plugins/') || path.startsWith('src/http/') || path.endsWith('routes.ts')
const isStorage = (path: string) => path.startsWith('src/db/') || path.endsWith('-repository.ts')

const FASTIFY_INSTANCE = /\bFastifyInstance\b/
const HTTP_IMPORT = /from '[^']*\/(plugins|http)\/[^']*'/
const SQL = /['`](SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM) /
const DRIVER_CODE = /'(ER_[A-Z_]+|SQLITE_[A-Z_]+|PROTOCOL_[A-Z_]+|POOL_[A-Z_]+)'/

t.test('the patterns catch what they look for', async (t) => {
  t.match('export function f (app: FastifyInstance) {}', FASTIFY_INSTANCE)
  t.match("import { problems } from '../http/problem-responses.js'", HTTP_IMPORT)
  t.match("await db.execute('DELETE FROM login_throttle WHERE x = ?', [x])", SQL)
  t.match('db.query(`SELECT id FROM users`)', SQL)
  t.match("if (code === 'ER_DUP_ENTRY') return", DRIVER_CODE)
  t.notMatch('one conditional UPDATE (so concurrent guesses cannot exceed it)', SQL)
  t.ok(files.length > 50, `${files.length} source files read`)
})

t.test('services, repositories and domain modules never see Fastify or the HTTP layer', async (t) => {
  const offenders = files.filter((f) => !isHttpLayer(f.path))
    .filter((f) => FASTIFY_INSTANCE.test(f.text) || HTTP_IMPORT.test(f.text))
  t.same(offenders.map((f) => f.path), [])
})

t.test('SQL only in repositories and src/db; driver error codes only in src/db', async (t) => {
  t.same(files.filter((f) => !isStorage(f.path) && SQL.test(f.text)).map((f) => f.path), [], 'SQL')
  t.same(files.filter((f) => !f.path.startsWith('src/db/') && DRIVER_CODE.test(f.text)).map((f) => f.path), [],
    'driver codes')
})

t.test('one composition root: services are built in src/services.ts only', async (t) => {
  const builders = /\bcreate(Auth|Session|Admin|Product|Audit)Service\(|\bcreateLoginThrottle\(/
  t.match('const admin = createAdminService(app)', builders)
  t.notMatch('export function createAdminService ({ db, now }: AdminDeps) {', builders, 'a definition')
  const callers = files.filter((f) => builders.test(f.text) && f.path !== 'src/services.ts')
  t.same(callers.map((f) => f.path), [])
})
