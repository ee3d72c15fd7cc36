/**
 * When `JSON.stringify` writes, byte for byte, what a response schema's serializer (fast-json-stringify) writes.
 *
 * fast-json-stringify builds its output by concatenating strings, a few per field: for a page of 20 products that is
 * about 11 µs and 20 KB of short-lived strings, against 6 µs and the 4 KB of the result for `JSON.stringify`. The
 * schema's serializer is what keeps a field outside the schema from leaving, so `JSON.stringify` may only write a
 * value the schema's serializer would write unchanged: plain objects whose keys are the schema's properties in the
 * schema's order, arrays, strings, finite numbers (integers where the schema says integer), booleans and null. The
 * check below says so for one value; anything else (an extra key, a Date, a number where a string belongs, a
 * missing required field) goes to the schema's serializer as before. A schema with a keyword the check does not
 * know gets no check at all.
 */

type Schema = Record<string, unknown>
export type PlainJsonCheck = (value: unknown) => boolean

/** Keywords that say nothing about a value. */
const ANNOTATIONS = new Set([
  '$id', '$schema', '$comment', 'title', 'description', 'examples', 'example', 'deprecated', 'readOnly', 'writeOnly'
])
/**
 * Keywords that change nothing the schema's serializer writes for a value of the right type (it checks them only
 * inside an `anyOf`: see `branch`).
 */
const IGNORED = new Set([
  ...ANNOTATIONS,
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
  'format', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'enum'
])
/** Keywords this check handles itself. */
const HANDLED = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'nullable', 'anyOf'])
/** Formats the serializer writes differently (`unsafe` unescaped, `date` and `time` from Dates): no check. */
const SPECIAL_FORMATS = new Set(['unsafe', 'date', 'time'])

const known = (s: Schema) =>
  Object.keys(s).every((k) => IGNORED.has(k) || HANDLED.has(k) || k.startsWith('x-')) &&
  !SPECIAL_FORMATS.has(s.format as string)

/** Code points, as JSON Schema (and ajv) count a string's length. */
function codePoints (s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    n++
  }
  return n
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v)
  // a toJSON, even not enumerable, would make JSON.stringify write something else
  return (proto === Object.prototype || proto === null) && (v as { toJSON?: unknown }).toJSON === undefined
}

/**
 * One branch of an `anyOf`. The serializer writes the first branch its validator accepts, so the branch's
 * constraints count here: only null, and strings, numbers and booleans with the constraints checked below.
 */
function branch (s: Schema): PlainJsonCheck | undefined {
  const keys = Object.keys(s).filter((k) => !ANNOTATIONS.has(k) && !k.startsWith('x-'))
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k))
  if (s.type === 'null' && only('type')) return (v) => v === null
  if (s.type === 'boolean' && only('type')) return (v) => typeof v === 'boolean'
  if ((s.type === 'integer' || s.type === 'number') && only('type', 'minimum', 'maximum')) {
    const min = (s.minimum as number | undefined) ?? -Infinity
    const max = (s.maximum as number | undefined) ?? Infinity
    const isType = s.type === 'integer' ? Number.isInteger : Number.isFinite
    return (v) => isType(v) && (v as number) >= min && (v as number) <= max
  }
  if (s.type === 'string' && only('type', 'minLength', 'maxLength', 'pattern')) {
    const min = (s.minLength as number | undefined) ?? 0
    const max = (s.maxLength as number | undefined) ?? Infinity
    const pattern = s.pattern === undefined ? undefined : new RegExp(s.pattern as string, 'u')
    return (v) => {
      if (typeof v !== 'string') return false
      // a string's code points are at most its length and at least half of it: count only when that decides
      if ((v.length > max || v.length < 2 * min) && (codePoints(v) > max || codePoints(v) < min)) return false
      return pattern === undefined || pattern.test(v)
    }
  }
  return undefined
}

/**
 * The check for a schema, or undefined when there is none (the schema's serializer always writes). `refs`: the
 * shared schemas by `$id`, as `$ref` names them.
 */
export function plainJsonCheck (schema: unknown, refs: Record<string, unknown>): PlainJsonCheck | undefined {
  const compiled = new Map<Schema, PlainJsonCheck | undefined>()

  const resolve = (s: Schema): Schema | undefined => {
    if (typeof s.$ref !== 'string') return s
    if (Object.keys(s).some((k) => k !== '$ref' && !ANNOTATIONS.has(k))) return undefined
    const target = refs[s.$ref.replace(/#$/, '')]
    return typeof target === 'object' && target !== null ? resolve(target as Schema) : undefined
  }

  function compile (raw: Schema): PlainJsonCheck | undefined {
    const s = resolve(raw)
    if (s === undefined || !known(s)) return undefined
    if (compiled.has(s)) return compiled.get(s)
    // a schema that refers to itself meets this one (false, so the serializer writes, if it has no check)
    const self: { check?: PlainJsonCheck } = {}
    compiled.set(s, (v) => self.check?.(v) ?? false)
    self.check = build(s)
    compiled.set(s, self.check)
    return self.check
  }

  function build (s: Schema): PlainJsonCheck | undefined {
    if (s.anyOf !== undefined) {
      if (!Array.isArray(s.anyOf) || Object.keys(s).some((k) => k !== 'anyOf' && !ANNOTATIONS.has(k))) return undefined
      const branches = (s.anyOf as Schema[]).map((b) => {
        const r = resolve(b)
        return r && branch(r)
      })
      if (branches.some((b) => b === undefined)) return undefined
      return (v) => branches.some((b) => b!(v))
    }
    const own = typeCheck(s)
    if (own === undefined) return undefined
    return s.nullable === true ? (v) => v === null || own(v) : own
  }

  function typeCheck (s: Schema): PlainJsonCheck | undefined {
    switch (s.type) {
      case 'null':
        return (v) => v === null
      case 'boolean':
        return (v) => typeof v === 'boolean'
      case 'integer':
        return Number.isInteger
      case 'number':
        return Number.isFinite
      case 'string':
        return (v) => typeof v === 'string'
      case 'array': {
        if (typeof s.items !== 'object' || s.items === null || Array.isArray(s.items)) return undefined
        const item = compile(s.items as Schema)
        if (item === undefined) return undefined
        return (v) => {
          if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return false
          for (let i = 0; i < v.length; i++) if (!item(v[i])) return false
          return true
        }
      }
      case 'object':
        return objectCheck(s)
      default:
        return undefined
    }
  }

  function objectCheck (s: Schema): PlainJsonCheck | undefined {
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) return undefined
    const required = (s.required ?? []) as string[]
    // the serializer writes the required properties first, each group in the schema's order
    const entries = Object.entries((s.properties ?? {}) as Record<string, Schema>).sort(
      ([a], [b]) => Number(required.includes(b)) - Number(required.includes(a))
    )
    const names = entries.map(([name]) => name)
    const checks: PlainJsonCheck[] = []
    for (const [, sub] of entries) {
      const c = compile(sub)
      if (c === undefined) return undefined
      checks.push(c)
    }
    if (!required.every((r) => names.includes(r))) return undefined
    return (v) => {
      if (!isPlainObject(v)) return false
      // the keys in the order the serializer writes them, each at most once; undefined ones are left out by both
      let at = 0
      for (const key in v) {
        while (at < names.length && names[at] !== key) at++
        if (at === names.length) return false
        const value = v[key]
        if (value !== undefined && !checks[at]!(value)) return false
        at++
      }
      for (const r of required) if (v[r] === undefined) return false
      return true
    }
  }

  return typeof schema === 'object' && schema !== null ? compile(schema as Schema) : undefined
}
