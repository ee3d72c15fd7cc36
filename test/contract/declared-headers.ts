import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import type { FastifyInstance, InjectOptions } from 'fastify'
import type { Test } from 'tap'
import { HTTP_HEADERS, SECURITY_HEADERS } from '../../schemas/headers.js'

type Schema = Record<string, unknown>
type Header = { $ref?: string; required?: boolean; schema?: Schema }
type Operation = { operationId: string; responses: Record<string, { headers?: Record<string, Header> }> }
export type Doc = { paths: Record<string, Record<string, Operation>>; components: { headers?: Record<string, Header> } }
type Response = { statusCode: number; headers: Record<string, unknown> }

/** Headers a response may carry without its operation declaring them (HTTP's own, CORS's others, the security set). */
const NOT_PER_OPERATION = new Set([...HTTP_HEADERS, ...SECURITY_HEADERS].map((h) => h.toLowerCase()))

const ajv = new Ajv2020({ strict: false })
;(formats as unknown as (a: Ajv2020) => void)(ajv)

export function operation (doc: Doc, operationId: string): Operation {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) if (op.operationId === operationId) return op
  }
  throw new Error(`no operation ${operationId} in the document`)
}

function resolve (doc: Doc, header: Header): Header {
  if (!header.$ref) return header
  const name = header.$ref.replace('#/components/headers/', '')
  const found = doc.components.headers?.[name]
  if (!found) throw new Error(`unresolved ${header.$ref}`)
  return found
}

/**
 * What is wrong with a real response's headers against the document: its status is not
 * documented for the operation, it carries a header the operation does not declare for
 * that status, it lacks a header declared required, or a value does not match its schema.
 */
export function headerProblems (doc: Doc, operationId: string, res: Response): string[] {
  const where = `${operationId} ${res.statusCode}`
  const documented = operation(doc, operationId).responses[String(res.statusCode)]
  if (!documented) return [`${where}: the status is not documented`]
  const declared = new Map(
    Object.entries(documented.headers ?? {}).map(([name, h]) => [name.toLowerCase(), resolve(doc, h)])
  )
  const problems: string[] = []
  for (const [name, value] of Object.entries(res.headers)) {
    const header = declared.get(name)
    if (!header) {
      if (!NOT_PER_OPERATION.has(name)) problems.push(`${where}: sends ${name}, which the document does not declare`)
      continue
    }
    const schema = header.schema ?? {}
    const typed = schema.type === 'integer' ? Number(value) : value
    if (!ajv.validate(schema, typed)) {
      problems.push(`${where}: ${name}: ${String(value)} does not match its schema (${ajv.errorsText()})`)
    }
  }
  for (const [name, header] of declared) {
    if (header.required && res.headers[name] === undefined) {
      problems.push(`${where}: lacks ${name}, which the document declares required`)
    }
  }
  return problems
}

/** [operationId, expected status, request] */
export type Probe = [string, number, InjectOptions]

const ALWAYS = ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']

/** Sends each probe, expects its status, and checks the response's headers against the app's own document. */
export async function checkProbes (t: Test, app: FastifyInstance, probes: Probe[]): Promise<string[]> {
  const doc = app.swagger() as unknown as Doc
  for (const [op, status, request] of probes) {
    const res = await app.inject(request)
    t.equal(
      res.statusCode,
      status,
      `${op}: ${request.method ?? 'GET'} ${request.url} answers ${status} (${res.body.slice(0, 100)})`
    )
    t.same(headerProblems(doc, op, res), [], `${op} ${res.statusCode}: headers as declared`)
    // without Redis the limiter always answers, so its headers are always there
    for (const h of ALWAYS) t.ok(res.headers[h] !== undefined, `${op} ${res.statusCode}: ${h}`)
  }
  return probes.map(([op]) => op)
}

/** Every operationId in the document. */
export const operationIds = (doc: Doc) =>
  Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.operationId))
