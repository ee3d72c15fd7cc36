// Reading a V8 CPU profile (.cpuprofile, as node:inspector's Profiler.stop answers it): what bench/run.mjs's
// metrics share and bench/profile-summary.mjs both walk.

/**
 * Each busy sample (idle ones left out): its node's id, its call frame, and its time in µs (until the next sample),
 * with `callers(id)`, the frames from that node up to the root.
 */
export function busySamples (profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const samples = []
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame
    if (frame.functionName !== '(idle)') samples.push({ id, frame, us: profile.timeDeltas[i + 1] ?? 0 })
  })
  function * callers (id) {
    for (let at = id; at !== undefined; at = parent.get(at)) yield nodes.get(at).callFrame
  }
  return { samples, callers }
}
