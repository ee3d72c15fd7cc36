// Load generator, in its own process so it does not share the server's event loop.
// Receives { url, path | paths, method, body (one, or a list taken in turn), tokens, connections, duration }
// and answers autocannon's result.
import autocannon from 'autocannon'

process.once('message', async (o) => {
  let n = 0
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.duration,
    requests: [{
      method: o.method ?? 'GET',
      setupRequest: (req) => {
        const token = o.tokens?.[n++ % o.tokens.length]
        const path = Array.isArray(o.paths) ? o.paths[n % o.paths.length] : o.path
        return {
          ...req,
          path,
          headers: { ...req.headers, ...(token && { authorization: `Bearer ${token}` }), ...(o.body && { 'content-type': 'application/json' }) },
          ...(o.body && { body: JSON.stringify(Array.isArray(o.body) ? o.body[n % o.body.length] : o.body) })
        }
      }
    }]
  })
  process.send({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, total: result.requests.total })
  process.exit(0)
})
