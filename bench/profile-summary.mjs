// What one scenario's requests cost beyond another's, from the CPU profiles `BENCH_PROFILE_DIR=dir npm run bench`
// writes (one per round of the main service's ratio scenarios):
//   node bench/profile-summary.mjs dir list db-baseline
// prints, per request, the main thread's µs by package and by function (self time), and our code's functions
// with what they call (inclusive), each with the first scenario's, the second's and the difference, largest first.
// A sample's time is its interval (timeDeltas), idle excluded; a profiled service runs slower than a plain one, so
// read the differences and shares rather than the absolute µs.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { busySamples } from './cpu-profile.mjs'

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

/** µs per request by package, by function (self) and by our functions (inclusive), over a scenario's rounds. */
function costs (scenario) {
  const files = readdirSync(dir).filter(
    (f) => f.startsWith(`${scenario}-`) && /^\d+\.cpuprofile$/.test(f.slice(scenario.length + 1))
  )
  if (files.length === 0) throw new Error(`no profiles of ${scenario} in ${dir}`)
  const out = { package: {}, self: {}, ours: {} }
  let requests = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    requests += profile.requests
    const { samples, callers } = busySamples(profile)
    for (const { id, frame, us } of samples) {
      const add = (table, key) => { table[key] = (table[key] ?? 0) + us }
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
  return { ...out, requests }
}

const a = costs(first)
const b = costs(second)
const total = (t) => Object.values(t).reduce((sum, us) => sum + us, 0)
console.log(`${first}: ${a.requests} requests, ${total(a.package).toFixed(1)} µs each on the main thread; ` +
  `${second}: ${b.requests} requests, ${total(b.package).toFixed(1)} µs each`)
const fmt = (us) => us.toFixed(1).padStart(8)
const tables = [['by package (self)', 'package'], ['by function (self)', 'self'], ['our code (inclusive)', 'ours']]
for (const [title, table] of tables) {
  console.log(`\n${title}: ${first} / ${second} / difference, µs per request`)
  const keys = [...new Set([...Object.keys(a[table]), ...Object.keys(b[table])])]
  const diff = (k) => (a[table][k] ?? 0) - (b[table][k] ?? 0)
  for (const k of keys.sort((x, y) => diff(y) - diff(x)).slice(0, 25)) {
    console.log(`${fmt(a[table][k] ?? 0)}${fmt(b[table][k] ?? 0)}${fmt(diff(k))}  ${k}`)
  }
}
