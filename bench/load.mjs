// Load generator, in its own process so it does not share the server's event loop.
// Receives { url, path | paths, method, body (one, or a list taken in turn), tokens, connections, duration, timeout }
// and answers autocannon's result (latency percentiles and maximum, status codes, timeouts).
import autocannon from 'autocannon'

process.once('message', async (o) => {
  let n = 0
  const result = await autocannon({
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
    statuses
  })
  process.exit(0)
})
