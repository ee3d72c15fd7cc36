import fp from 'fastify-plugin'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { FastifyRequest } from 'fastify'
import { auditWritten, type AuditWritten } from '../../audit/audit-channel.js'
import type { Metrics } from '../../metrics/metrics.js'
import { toApiError } from '../../http/problem.js'
import { Errors } from '../../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The metrics and the port they are served on; null when METRICS_PORT is unset (nothing is measured). */
    metrics: (Metrics & { port: () => number }) | null
  }
}

const LOGIN_ROUTES = new Set(['/auth/login', '/auth/login/2fa'])
const problemCode = Symbol('problemCode')
type Marked = FastifyRequest & { [problemCode]?: string }

/**
 * Prometheus metrics, on only with METRICS_PORT: observed through hooks (requests, problems, login
 * answers), the audit channel (security events) and, at each scrape, the store's pool and the hash
 * gate. Nothing here reaches into a service: they never see the metrics.
 */
export default fp(async (app) => {
  const { METRICS_PORT, METRICS_HOST } = app.config
  if (METRICS_PORT === 0) {
    app.decorate('metrics', null)
    return
  }
  // loaded only when on: prom-client is not in the memory of an instance that serves no metrics
  const { createMetrics } = await import('../../metrics/metrics.js')
  const { startMetricsServer } = await import('../../metrics/metrics-server.js')
  const { db, hashGate } = app
  const metrics = createMetrics({
    ...(db.poolStats && { pool: () => db.poolStats!() }),
    hashes: () => ({ inFlight: hashGate.inFlight, queued: hashGate.queued, admitted: hashGate.admitted })
  })

  app.addHook('onError', async (request: Marked, _reply, error) => {
    request[problemCode] = toApiError(error).code
  })
  app.addHook('onResponse', async (request: Marked, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const status = reply.statusCode
    metrics.request(request.method, route, status, reply.elapsedTime / 1000)
    const code = request[problemCode]
    if (code !== undefined) {
      metrics.problem(status, code)
      if (code === Errors.rateLimited.code) metrics.rateLimited(route.startsWith('/auth/') ? 'auth' : 'api')
    }
    if (LOGIN_ROUTES.has(route)) metrics.login(route, status < 400 ? 'success' : code ?? String(status))
  })

  const onAudit = (message: unknown) => metrics.audit((message as AuditWritten).event)
  subscribe(auditWritten.name, onAudit)

  let server: Awaited<ReturnType<typeof startMetricsServer>> | undefined
  app.addHook('onReady', async () => {
    server = await startMetricsServer(metrics.registry, METRICS_HOST, METRICS_PORT)
    app.log.info({ host: METRICS_HOST, port: server.port }, 'metrics listening (GET /metrics)')
  })
  app.addHook('onClose', async () => {
    unsubscribe(auditWritten.name, onAudit)
    await server?.close()
  })
  app.decorate('metrics', { ...metrics, port: () => server?.port ?? METRICS_PORT })
}, { name: 'metrics', dependencies: ['config', 'db', 'services'] })
