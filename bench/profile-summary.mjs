// What one scenario's requests cost beyond another's, from the profiles `BENCH_PROFILE_DIR=dir npm run bench` writes
// (one per round of the main service's ratio scenarios):
//   node bench/profile-summary.mjs dir list db-baseline
// prints, per request, the main thread's µs by package and by function (self time), and our code's functions
// with what they call (inclusive), each with the first scenario's, the second's and the difference, largest first.
// A sample's time is its interval (timeDeltas), idle excluded; a profiled service runs slower than a plain one, so
// read the differences and shares rather than the absolute µs. With `BENCH_PROFILE_HEAP=1` the profiles are of the
// allocations, and the same tables are in bytes allocated per request (the garbage each request leaves the GC).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { busySamples, heapSamples } from './cpu-profile.mjs'

const [dir, first, second] = process.argv.slice(2)
if (!second) {
  console.error('usage: node bench/profile-summary.mjs <BENCH_PROFILE_DIR> <scenario> <other scenario>')
  process.exit(2)
}

const shortUrl = (url) => url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, '')
const nameOf = (f) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`
const packageOf = ({ url, functionName }) => {
  if (url.includes('node_modules/')) return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)[1]
  if (url.includes('/dist/')) return /\/dist\/((?:src\/)?[^/]+)/.exec(url)[1]
  if (url.startsWith('node:')) return url.split('/')[0]
  return url === '' ? functionName || '(native)' : url
}

const kinds = {
  cpu: { read: busySamples, unit: 'µs', digits: 1 },
  heap: { read: heapSamples, unit: 'bytes', digits: 0 }
}

/** µs (or bytes) per request by package, by function (self) and by our functions (inclusive), over its rounds. */
function costs (scenario) {
  const files = readdirSync(dir).filter(
    (f) => f.startsWith(`${scenario}-`) && /^\d+\.(cpu|heap)profile$/.test(f.slice(scenario.length + 1))
  )
  if (files.length === 0) throw new Error(`no profiles of ${scenario} in ${dir}`)
  const kind = /\.(cpu|heap)profile$/.exec(files[0])[1]
  if (!files.every((f) => f.endsWith(`.${kind}profile`))) {
    throw new Error(`${dir} has both CPU and heap profiles of ${scenario}: use a directory for each`)
  }
  // no prototype: a frame may be named constructor or toString
  const out = { package: Object.create(null), self: Object.create(null), ours: Object.create(null) }
  let requests = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    requests += profile.requests
    const { samples, callers } = kinds[kind].read(profile)
    for (const { id, frame, value } of samples) {
      const add = (table, key) => { table[key] = (table[key] ?? 0) + value }
      add(out.package, packageOf(frame))
      add(out.self, nameOf(frame))
      const seen = new Set()
      for (const f of callers(id)) {
        const key = nameOf(f)
        if (!f.url.includes('/dist/src/') || seen.has(key)) continue
        seen.add(key)
        add(out.ours, key)
      }
    }
  }
  for (const table of Object.values(out)) for (const key in table) table[key] /= requests
  return { ...out, requests, kind }
}

const a = costs(first)
const b = costs(second)
if (a.kind !== b.kind) throw new Error(`${first} has ${a.kind} profiles, ${second} ${b.kind} ones`)
const { unit, digits } = kinds[a.kind]
const total = (t) => Object.values(t).reduce((sum, v) => sum + v, 0)
console.log(`${first}: ${a.requests} requests, ${total(a.package).toFixed(digits)} ${unit} each on the main thread; ` +
  `${second}: ${b.requests} requests, ${total(b.package).toFixed(digits)} ${unit} each`)
const fmt = (v) => v.toFixed(digits).padStart(8)
const tables = [['by package (self)', 'package'], ['by function (self)', 'self'], ['our code (inclusive)', 'ours']]
for (const [title, table] of tables) {
  console.log(`\n${title}: ${first} / ${second} / difference, ${unit} per request`)
  const keys = [...new Set([...Object.keys(a[table]), ...Object.keys(b[table])])]
  const diff = (k) => (a[table][k] ?? 0) - (b[table][k] ?? 0)
  for (const k of keys.sort((x, y) => diff(y) - diff(x)).slice(0, 25)) {
    console.log(`${fmt(a[table][k] ?? 0)}${fmt(b[table][k] ?? 0)}${fmt(diff(k))}  ${k}`)
  }
}
