import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import underPressure from '@fastify/under-pressure'
import { Errors } from '../../errors.js'

const MB = 1024 * 1024
const isHealthCheck = (url?: string) => url?.startsWith('/health/') === true

/**
 * Past the configured event-loop delay, event-loop utilization or heap thresholds (sampled every
 * OVERLOAD_SAMPLE_INTERVAL_MS), requests are answered at once with 503 problem+json `overloaded` and
 * Retry-After instead of queueing behind the work already in hand. The health routes are let through:
 * /health/live keeps answering, /health/ready says `overloaded` (src/health/routes.ts). A request sent on
 * the connection of a 503 with Retry-After before that time waits for it.
 */
export default fp(async (app) => {
  const c = app.config
  // A client told to retry later is held to it on its connection: a request it sends there before
  // Retry-After has passed waits, parsed but untouched, until then. A client that resends at once
  // (as a storm's do) then costs a timer instead of taking the event loop from everyone else.
  const heldUntil = new WeakMap<Socket, number>()
  app.addHook('onRequest', async (request) => {
    if (isHealthCheck(request.routeOptions.url)) return
    const wait = (heldUntil.get(request.raw.socket) ?? 0) - Date.now()
    if (wait > 0) await sleep(wait)
  })
  await app.register(underPressure, {
    maxEventLoopDelay: c.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: c.OVERLOAD_MAX_EVENT_LOOP_UTILIZATION,
    maxHeapUsedBytes: c.OVERLOAD_MAX_HEAP_USED_MB * MB,
    sampleInterval: c.OVERLOAD_SAMPLE_INTERVAL_MS,
    pressureHandler: async (request, _reply, type) => {
      if (isHealthCheck(request.routeOptions.url)) return
      throw Errors.overloaded(`The instance is past its ${type} threshold`)
    }
  })
  // a 503 goes out at once; its Retry-After is then enforced on that connection (never a health check's)
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 503 || isHealthCheck(request.routeOptions.url)) return
    const seconds = Number(reply.getHeader('retry-after'))
    if (seconds > 0) heldUntil.set(request.raw.socket, Date.now() + seconds * 1000)
  })
}, { name: 'overload', dependencies: ['config', 'error-handler'] })
