// npm run bench:startup: how long `npm start` takes to answer /health/ready on the embedded store,
// from the start command to the first 200, in wall time and in CPU time of npm and the server. Each run starts from a
// fresh data directory (migrations
// run, keys are generated) and one more run reuses it, as a restart would. Prints each time and
// the median; writes bench/results/startup.json.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout } from 'node:timers/promises'

const RUNS = Number(process.env.STARTUP_RUNS ?? 5)
const root = new URL('..', import.meta.url).pathname
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]

/** A port free right now (the machine is shared: fixed ports may be taken). */
async function freePort () {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * CPU time (user + system, ms) used so far by the live processes of a process group (Linux /proc):
 * on a shared machine the wall time mostly measures the other tenants, the CPU time does not.
 */
function groupCpuMs (pgid) {
  let ticks = 0
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // after "pid (comm) "
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12])
  }
  return ticks * 10 // USER_HZ is 100 on Linux
}

/** Wall and CPU milliseconds from spawning `npm start` to the first 200 from /health/ready. */
async function timeToReady (dataDir, port) {
  const started = performance.now()
  // its own process group: npm does not pass SIGTERM on to the server, the group gets it
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir }
  })
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`)
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.status === 200,
        () => false
      )
      if (ok) return { wall: Math.round(performance.now() - started), cpu: groupCpuMs(child.pid) }
      await setTimeout(5)
    }
  } finally {
    if (child.exitCode === null) {
      const closed = once(child, 'close')
      process.kill(-child.pid, 'SIGTERM')
      await closed
    }
  }
}

const fresh = []
let restart
for (let i = 0; i < RUNS; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'secure-api-startup-'))
  try {
    fresh.push(await timeToReady(dataDir, await freePort()))
    if (i === RUNS - 1) restart = await timeToReady(dataDir, await freePort())
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
const result = {
  node: process.version,
  cpus: cpus().length,
  loadavg_1m: Number(loadavg()[0].toFixed(1)),
  fresh_wall_ms: fresh.map((r) => r.wall),
  fresh_cpu_ms: fresh.map((r) => r.cpu),
  median_wall_ms: median(fresh.map((r) => r.wall)),
  median_cpu_ms: median(fresh.map((r) => r.cpu)),
  restart
}
console.log(JSON.stringify(result, null, 2))
writeFileSync(join(root, 'bench/results/startup.json'), JSON.stringify(result, null, 2) + '\n')
