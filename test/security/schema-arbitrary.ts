import fc from 'fast-check'

type Schema = Record<string, any>

/** Follows a local `#/components/schemas/X` reference. */
const resolve = (doc: Schema, s: Schema): Schema =>
  s.$ref
    ? resolve(
      doc,
      s.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((o: Schema, k: string) => o[k], doc)
    )
    : s

/** Values that satisfy the schema (best effort: what the API's schemas use). */
export function valid (doc: Schema, schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema)
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.enum) return fc.constantFrom(...s.enum)
  if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf).map((x: Schema) => valid(doc, x, depth)))
  switch (s.type) {
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: Math.min(s.maximum ?? 1000, Number.MAX_SAFE_INTEGER) })
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'string':
      if (s.pattern && s.pattern !== '\\S') {
        return fc
          .stringMatching(new RegExp(s.pattern))
          .filter((v) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? 1000))
      }
      if (s.format === 'date-time') {
        return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())
      }
      return fc
        .string({
          minLength: Math.max(s.minLength ?? 0, s.pattern ? 1 : 0),
          maxLength: Math.min(s.maxLength ?? 40, 60)
        })
        .map((v) => (s.pattern === '\\S' ? v.replace(/^\s*$/, 'x') : v))
    case 'array':
      return fc
        .array(valid(doc, s.items ?? {}, depth + 1), {
          minLength: s.minItems ?? 0,
          maxLength: Math.min(s.maxItems ?? 3, 3)
        })
        .map((a) => (s.uniqueItems ? [...new Set(a)] : a))
        .filter((a) => a.length >= (s.minItems ?? 0))
    case 'object': {
      const props = Object.entries<Schema>(s.properties ?? {})
      const required = new Set<string>(s.required ?? [])
      return fc
        .record(Object.fromEntries(props.map(([k, v]) => [k, valid(doc, v, depth + 1)])), {
          requiredKeys: [...required]
        })
        .filter((o) => Object.keys(o).length >= (s.minProperties ?? 0))
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** Values near or past the schema's edges, of the wrong type, or with extra properties. */
export function invalid (doc: Schema, schema: Schema): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema)
  const edges: Array<fc.Arbitrary<unknown>> = [
    fc.jsonValue({ maxDepth: 3 }),
    fc.constant(null),
    fc.constant(''),
    fc.constant("' OR 1=1 --"),
    fc.constant({ __proto__: { admin: true } })
  ]
  if (s.type === 'integer' || s.type === 'number') {
    edges.push(fc.constantFrom((s.minimum ?? 0) - 1, (s.maximum ?? 1e9) + 1, 1.5, '12', 2 ** 64))
  }
  if (s.type === 'string') {
    edges.push(fc.string({ minLength: (s.maxLength ?? 100) + 1, maxLength: (s.maxLength ?? 100) + 5 }), fc.constant(12))
  }
  if (s.type === 'object') {
    edges.push(valid(doc, s).map((o) => ({ ...(o as object), unexpected_field: 'x' })))
    for (const key of s.required ?? []) {
      edges.push(
        valid(doc, s).map((o) => {
          const c = { ...(o as Record<string, unknown>) }
          delete c[key]
          return c
        })
      )
    }
    for (const [key, prop] of Object.entries<Schema>(s.properties ?? {})) {
      edges.push(fc.tuple(valid(doc, s), invalid(doc, prop)).map(([o, bad]) => ({ ...(o as object), [key]: bad })))
    }
  }
  return fc.oneof(...edges)
}
