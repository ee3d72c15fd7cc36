import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { isAlias, parse, parseDocument, visit } from 'yaml'
import { generateOpenApiYaml } from '../src/openapi.js'
import { projectRoot } from '../src/paths.js'

const committed = readFileSync(join(projectRoot, 'openapi.yaml'), 'utf8')

t.test(
  'openapi.yaml matches what the code generates (run `npm run openapi` after changing routes or schemas)',
  async (t) => {
    t.equal(await generateOpenApiYaml(), committed)
  }
)

t.test('openapi.yaml has no anchors or aliases (tools that do not resolve them read it too)', async (t) => {
  let aliases = 0
  let anchors = 0
  visit(parseDocument(committed), (_key, node) => {
    if (isAlias(node)) aliases++
    else if (node && typeof node === 'object' && 'anchor' in node && node.anchor) anchors++
  })
  t.equal(aliases, 0)
  t.equal(anchors, 0)
})

t.test('openapi.yaml is a valid OpenAPI 3.1 document', async (t) => {
  const doc = parse(committed)
  t.equal(doc.openapi, '3.1.0')
  await SwaggerParser.validate(structuredClone(doc))
})

t.test('every operation has an operationId, a tag, a summary, its security and its error responses', async (t) => {
  const doc = parse(committed)
  const ids = new Set<string>()
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const where = `${method.toUpperCase()} ${path}`
      t.type(op.operationId, 'string', `${where} operationId`)
      t.notOk(ids.has(op.operationId), `${where} operationId is unique`)
      ids.add(op.operationId)
      t.ok(op.tags?.length, `${where} tag`)
      t.type(op.summary, 'string', `${where} summary`)
      t.ok(Array.isArray(op.security), `${where} security`)
      t.ok(op.responses['500']?.content?.['application/problem+json'], `${where} documents its 500 as problem+json`)
    }
  }
  t.ok(doc.components.schemas.Problem, 'Problem is a named component')
})
