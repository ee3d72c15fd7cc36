import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import { Errors } from '../../errors.js'

const MB = 1024 * 1024

/**
 * Past the configured event-loop delay, event-loop utilization or heap thresholds (sampled every
 * OVERLOAD_SAMPLE_INTERVAL_MS), requests are answered at once with 503 problem+json `overloaded` and
 * Retry-After instead of queueing behind the work already in hand. The health routes are let through:
 * /health/live keeps answering, /health/ready says `overloaded` (src/health/routes.ts).
 */
export default fp(async (app) => {
  const c = app.config
  await app.register(underPressure, {
    maxEventLoopDelay: c.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: c.OVERLOAD_MAX_EVENT_LOOP_UTILIZATION,
    maxHeapUsedBytes: c.OVERLOAD_MAX_HEAP_USED_MB * MB,
    sampleInterval: c.OVERLOAD_SAMPLE_INTERVAL_MS,
    pressureHandler: async (request, _reply, type) => {
      if (request.routeOptions.url?.startsWith('/health/')) return
      throw Errors.overloaded(`The instance is past its ${type} threshold`)
    }
  })
}, { name: 'overload', dependencies: ['config', 'error-handler'] })
