// Load generator, in its own process so it does not share the server's event loop.
// Receives { url, path | paths, method, body (one, or a list taken in turn), tokens, connections, duration, timeout,
// perRequest, perSecond } and answers autocannon's result (latency percentiles and maximum, status codes, timeouts);
// with perRequest, also each request's latency from when it could leave (see sentClock) and each connection's connect
// time; with perSecond, the answers in each second of the run.
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'

const now = () => performance.timeOrigin + performance.now()
const percentile = (sorted, q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN)

/**
 * Each request timed from when its bytes can leave this process to its answer. autocannon starts a new connection's
 * first request before the TCP connect and writes it on connect, while this process is still opening the other
 * connections (500 of them take it about 0.2 s): that wait is the load generator's own, so a first request is timed
 * from its connection's 'connect', every other one from its write, as autocannon does. Each connection's local port
 * and connect time are kept, for the service to say when it accepted it.
 */
function sentClock () {
  const first = []
  const later = []
  const connects = []
  return {
    setupClient (client) {
      let sentAt
      let isFirst
      client.on('request', () => {
        const conn = client.conn
        isFirst = conn.connecting
        sentAt = isFirst ? undefined : now()
        if (isFirst) {
          conn.once('connect', () => {
            sentAt = now()
            connects.push([conn.localPort, sentAt])
          })
        }
      })
      client.on('response', () => {
        if (sentAt !== undefined) (isFirst ? first : later).push(now() - sentAt)
      })
    },
    result () {
      const all = [...first, ...later].sort((a, b) => a - b)
      const max = (xs) => Math.round(Math.max(...xs))
      return {
        p50: percentile(all, 0.5),
        p99: percentile(all, 0.99),
        p999: percentile(all, 0.999),
        max: max(all),
        firstMax: max(first),
        laterMax: max(later),
        connects
      }
    }
  }
}

process.once('message', async (o) => {
  let n = 0
  const clock = o.perRequest && sentClock()
  const run = autocannon({
    ...(clock && { setupClient: clock.setupClient }),
    url: o.url,
    connections: o.connections,
    duration: o.duration,
    ...(o.timeout && { timeout: o.timeout }),
    requests: [{
      method: o.method ?? 'GET',
      setupRequest: (req) => {
        const token = o.tokens?.[n++ % o.tokens.length]
        const path = Array.isArray(o.paths) ? o.paths[n % o.paths.length] : o.path
        return {
          ...req,
          path,
          headers: {
            ...req.headers,
            ...(token && { authorization: `Bearer ${token}` }),
            ...(o.body && { 'content-type': 'application/json' })
          },
          ...(o.body && { body: JSON.stringify(Array.isArray(o.body) ? o.body[n % o.body.length] : o.body) })
        }
      }
    }]
  })
  // perSecond: the answers in each whole second of the run, counted from its start
  const perSecond = Array.from({ length: o.duration }, () => 0)
  if (o.perSecond) {
    let started
    run.on('start', () => { started = now() })
    run.on('response', () => { perSecond[Math.floor((now() - started) / 1000)]++ })
  }
  const result = await run
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]))
  process.send({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    statuses,
    ...(clock && { perRequest: clock.result() }),
    ...(o.perSecond && { perSecond: perSecond.slice(0, o.duration) })
  })
  process.exit(0)
})
