import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { GRANTS, ROLE_NAMES } from '../schemas/access.js'
import { SORT_FIELDS } from '../schemas/products.js'
import { projectRoot } from '../src/paths.js'

/** The README and any page under docs/, as one list of lines (the docs may be split into pages). */
function docLines (): string[] {
  const docs = join(projectRoot, 'docs')
  const pages = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))
    : []
  return [join(projectRoot, 'README.md'), ...pages.map((f) => join(docs, f))].flatMap((file) =>
    readFileSync(file, 'utf8').split('\n')
  )
}

const codeNames = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)

t.test("the docs' roles table is the code's list of roles and grants", async (t) => {
  const lines = docLines()
  const header = lines.findIndex((l) => /^\| Role \| Permissions \|/.test(l))
  t.ok(header >= 0, 'the docs have the table')
  const rows = lines.slice(header + 2).filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')))
  const table = Object.fromEntries(
    rows.map((row) => {
      const [, role = '', permissions = ''] = row.split('|')
      return [codeNames(role)[0], codeNames(permissions).sort()]
    })
  )
  t.same(Object.keys(table), ROLE_NAMES, "every role, in the list's order")
  for (const role of ROLE_NAMES) t.same(table[role], [...GRANTS[role]].sort(), `${role}'s permissions`)
})

t.test("the docs name the code's sort fields and roles where they list them", async (t) => {
  const lines = docLines()
  const list = lines.find((l) => l.startsWith('| `GET /api/products` |'))
  t.same(codeNames(/`sort` \(([^)]*)\)/.exec(list ?? '')?.[1] ?? ''), [...SORT_FIELDS], 'GET /api/products: sort')
  const defaultRole = lines.find((l) => l.startsWith('| `DEFAULT_ROLE` |'))
  t.same(codeNames(defaultRole?.split('|')[3] ?? ''), ROLE_NAMES, 'DEFAULT_ROLE: its values')
})

t.test('schemas/ imports nothing from src/: the contract and the lists sit below the code', async (t) => {
  const dir = join(projectRoot, 'schemas')
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))
  t.ok(files.length >= 8, `${files.length} files read`)
  for (const file of files) {
    const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!)
    const outside = imports.filter((i) => !i.startsWith('./') && !i.startsWith('@sinclair/'))
    t.same(outside, [], `${file} imports only schemas/ and TypeBox`)
  }
})
