import t from 'tap'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import { projectRoot } from '../../src/paths.js'
import { authApp, login, post, userWithRole } from '../auth/flow.js'
import { invalid, valid } from './schema-arbitrary.js'

type Op = {
  operationId: string
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: object }>
  requestBody?: any
  responses: Record<string, any>
  security?: object[]
}

const doc = parse(readFileSync(join(projectRoot, 'openapi.yaml'), 'utf8'))
const ajv = new Ajv2020({ strict: false, allErrors: true })
;(formats as unknown as (a: Ajv2020) => void)(ajv)
ajv.addFormat('binary', true)
ajv.addSchema({ ...doc, $id: 'openapi' })
const pointer = (...parts: string[]) =>
  'openapi#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

const REQUESTS = 2000

t.test(
  'A5, A7: generated requests across every operation: never a 5xx, errors are problem+json, every response ' +
    'matches openapi.yaml',
  async (t) => {
    const { app, clock } = await authApp(t, { config: { LOGIN_MAX_FAILURES: 100 } })
    const operations = Object.entries<Record<string, Op>>(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op }))
    )
    const perOperation = Math.ceil(REQUESTS / operations.length)
    let sent = 0
    let succeeded = 0
    const failures: string[] = []

    for (const { path, method, op } of operations) {
      const admin = await userWithRole(app, clock, 'admin')
      const token = await login(app, clock, admin)
      for (let i = 0; i < 3; i++) {
        await post(app, '/api/products', { name: `seed ${i}`, price: '1.50', quantity: i }, token)
      }
      const params = op.parameters ?? []
      const arbitrary = fc.record({
        params: fc.record(
          Object.fromEntries(
            params
              .filter((p) => p.in === 'path')
              .map((p) => [
                p.name,
                fc.oneof(valid(doc, p.schema), invalid(doc, p.schema), fc.constantFrom('1', '2', '999999'))
              ])
          )
        ),
        query: fc.record(
          Object.fromEntries(
            params
              .filter((p) => p.in === 'query')
              .map((p) => [p.name, fc.oneof(valid(doc, p.schema), invalid(doc, p.schema))])
          ),
          { requiredKeys: [] }
        ),
        headers: fc.record({
          authorization: fc.constantFrom(`Bearer ${token}`, `Bearer ${token}`, 'Bearer not.a.token', 'Basic abc', ''),
          'if-match': fc.constantFrom(undefined, '"1"', '*', 'garbage'),
          'if-none-match': fc.constantFrom(undefined, '"1"', '*')
        }),
        body: op.requestBody
          ? fc.oneof(
            { weight: 3, arbitrary: valid(doc, op.requestBody.content['application/json'].schema) },
            { weight: 2, arbitrary: invalid(doc, op.requestBody.content['application/json'].schema) }
          )
          : fc.constant(undefined)
      })
      const samples = fc.sample(arbitrary, { numRuns: perOperation, seed: 20261125 + sent })
      for (const sample of samples) {
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(String(sample.params[name])))
        const query = new URLSearchParams(
          Object.entries(sample.query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])
        )
        const headers = Object.fromEntries(Object.entries(sample.headers).filter(([, v]) => v)) as Record<
          string,
          string
        >
        const res = await app.inject({
          method: method.toUpperCase() as 'GET',
          url: `${url}${query.size ? `?${query}` : ''}`,
          headers,
          ...(sample.body !== undefined && {
            payload: JSON.stringify(sample.body),
            headers: { ...headers, 'content-type': 'application/json' }
          })
        })
        sent++
        if (res.statusCode < 300) succeeded++
        const where = `${method.toUpperCase()} ${path} -> ${res.statusCode}`
        if (res.statusCode >= 500) {
          failures.push(`${where}: ${res.body}`)
          continue
        }
        const documented = op.responses[String(res.statusCode)]
        if (!documented) {
          failures.push(`${where}: status not documented`)
          continue
        }
        if (!documented.content || res.statusCode === 304) continue
        const type = String(res.headers['content-type']).split(';')[0]!
        if (res.statusCode >= 400 && type !== 'application/problem+json') {
          failures.push(`${where}: error as ${type}`)
          continue
        }
        if (!documented.content[type]) {
          failures.push(`${where}: content type ${type} not documented`)
          continue
        }
        if (type === 'image/png') continue
        const validate = ajv.getSchema(
          pointer('paths', path, method, 'responses', String(res.statusCode), 'content', type, 'schema')
        )!
        if (!validate(res.json())) {
          failures.push(`${where}: ${ajv.errorsText(validate.errors)} in ${res.body.slice(0, 300)}`)
        }
      }
    }
    t.ok(sent >= REQUESTS, `${sent} requests sent over ${operations.length} operations`)
    t.ok(succeeded >= sent / 10, `${succeeded} of them succeeded (2xx): valid requests are generated too`)
    t.same(failures.slice(0, 20), [], 'every response was documented, valid, and not a 5xx')
  }
)
