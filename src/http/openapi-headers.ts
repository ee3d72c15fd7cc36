import { BY_STATUS, EVERY_RESPONSE } from '../../schemas/headers.js'

type Headers = Record<string, object>
type Doc = {
  paths?: Record<string, Record<string, { responses?: Record<string, { headers?: Headers }> }>>
  components?: { headers?: Headers }
}

const refTo = (name: string) => ({ $ref: `#/components/headers/${name}` })

/**
 * Writes into every response the headers the service sends: those its route lists
 * (always sent with that status, so required), then those of every response and those
 * of its status (schemas/headers.ts), as references to `components.headers`. Returns a
 * copy that shares no object, so the YAML has no anchors or aliases.
 */
export function withResponseHeaders<T extends object> (document: T): T {
  // ajv-errors' `errorMessage` is a validator keyword, not OpenAPI: the copy leaves it out
  const doc = JSON.parse(
    JSON.stringify(document, (key, value) => (key === 'errorMessage' ? undefined : value))
  ) as Doc & T
  const common = { ...EVERY_RESPONSE, ...Object.assign({}, ...Object.values(BY_STATUS)) }
  doc.components = { ...doc.components, headers: JSON.parse(JSON.stringify(common)) }
  for (const item of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const own = Object.fromEntries(
          Object.entries(response.headers ?? {}).map(([name, h]) => [name, { ...h, required: true }])
        )
        const shared = Object.keys({ ...EVERY_RESPONSE, ...BY_STATUS[status] }).map((name) => [name, refTo(name)])
        response.headers = { ...own, ...Object.fromEntries(shared) }
      }
    }
  }
  return doc
}
