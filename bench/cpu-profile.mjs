// Reading V8 profiles as node:inspector answers them: a CPU profile (Profiler.stop: what bench/run.mjs's metrics share
// and bench/profile-summary.mjs walk) and a sampling heap profile (HeapProfiler.stopSampling: profile-summary.mjs).

/**
 * Each busy sample of a CPU profile (idle ones left out): its node's id, its call frame, and its `value`, the µs until
 * the next sample; with `callers(id)`, the frames from that node up to the root.
 */
export function busySamples (profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const samples = []
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame
    if (frame.functionName !== '(idle)') samples.push({ id, frame, value: profile.timeDeltas[i + 1] ?? 0 })
  })
  return { samples, callers: callersIn(nodes, parent) }
}

/**
 * Each sample of a sampling heap profile (its `head` a tree): its node's id, its call frame, and its `value`, the bytes
 * it stands for; with `callers(id)` as above. Sampled with the objects the GC has since freed, it counts what was
 * allocated, not what is still held.
 */
export function heapSamples (profile) {
  const nodes = new Map()
  const parent = new Map()
  const walk = (node) => {
    nodes.set(node.id, node)
    for (const child of node.children) {
      parent.set(child.id, node.id)
      walk(child)
    }
  }
  walk(profile.head)
  const samples = profile.samples.map(({ nodeId, size }) => ({
    id: nodeId,
    frame: nodes.get(nodeId).callFrame,
    value: size
  }))
  return { samples, callers: callersIn(nodes, parent) }
}

function callersIn (nodes, parent) {
  return function * callers (id) {
    for (let at = id; at !== undefined; at = parent.get(at)) yield nodes.get(at).callFrame
  }
}
