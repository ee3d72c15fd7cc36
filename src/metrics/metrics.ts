import { performance } from 'node:perf_hooks'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { AUDIT_EVENTS, type AuditEventName } from '../../schemas/audit.js'
import type { PoolStats } from '../db/driver.js'

/** What the saturation gauges read at each scrape; each is optional (no pool on SQLite). */
export interface SaturationSources {
  pool?: () => PoolStats
  hashes?: () => { inFlight: number, queued: number, admitted: number }
}

/** Seconds; the upper buckets catch the hash queue's timeout and the 5 s a login storm must stay under. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * The service's Prometheus metrics on their own registry (one per app). Labels are bounded:
 * route templates, status classes, audit event names (schemas/audit.ts) and declared problem codes.
 */
export function createMetrics (sources: SaturationSources = {}) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry }) // event-loop delay, heap, GC, RSS, handles
  // gauges named *_total break Prometheus' naming rules (promtool says so): their per-type series stay
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name)
  }

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template (unmatched: "unmatched") and status class, with their duration',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry]
  })
  const auditEvents = new Counter({
    name: 'secure_api_audit_events_total',
    help: 'Security events written to the audit log, by event name (the audit log\'s names)',
    labelNames: ['event'] as const,
    registers: [registry]
  })
  for (const event of AUDIT_EVENTS) auditEvents.inc({ event }, 0) // every series exists from the start: rate() works
  const loginAttempts = new Counter({
    name: 'secure_api_login_attempts_total',
    help: 'Answers of the login routes (/auth/login, /auth/login/2fa) by outcome: success or the problem code',
    labelNames: ['route', 'outcome'] as const,
    registers: [registry]
  })
  const rateLimited = new Counter({
    name: 'secure_api_rate_limit_rejections_total',
    help: 'Requests refused by the per-IP limits (429 rate_limited), by bucket (auth, api)',
    labelNames: ['bucket'] as const,
    registers: [registry]
  })
  for (const bucket of ['auth', 'api']) rateLimited.inc({ bucket }, 0)
  const problems = new Counter({
    name: 'secure_api_problems_total',
    help: 'Error responses (problem+json) by status and code',
    labelNames: ['status', 'code'] as const,
    registers: [registry]
  })

  let lastElu = performance.eventLoopUtilization()
  new Gauge({ // eslint-disable-line no-new
    name: 'nodejs_eventloop_utilization',
    help: 'Share of time the event loop was busy since the previous scrape (0 to 1)',
    registers: [registry],
    collect () {
      const now = performance.eventLoopUtilization()
      this.set(performance.eventLoopUtilization(now, lastElu).utilization)
      lastElu = now
    }
  })
  if (sources.pool) {
    const read = sources.pool
    new Gauge({ // eslint-disable-line no-new
      name: 'secure_api_db_pool_connections',
      help: 'MySQL pool connections by state (in_use, idle)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect () {
        const s = read()
        this.set({ state: 'in_use' }, s.inUse)
        this.set({ state: 'idle' }, s.idle)
      }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'secure_api_db_pool_waiting',
      help: 'Queries waiting for a MySQL pool connection',
      registers: [registry],
      collect () { this.set(read().waiting) }
    })
  }
  if (sources.hashes) {
    const read = sources.hashes
    new Gauge({ // eslint-disable-line no-new
      name: 'secure_api_password_hashes_in_flight',
      help: 'Password hashes or verifications running on the thread pool',
      registers: [registry],
      collect () { this.set(read().inFlight) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'secure_api_password_operations_in_progress',
      help: 'Logins and registrations admitted and not yet answered (bounded by HASH_CONCURRENCY + HASH_QUEUE_MAX)',
      registers: [registry],
      collect () { this.set(read().admitted) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'secure_api_password_hashes_queued',
      help: 'Password hashes or verifications waiting for a thread (bounded by HASH_QUEUE_MAX)',
      registers: [registry],
      collect () { this.set(read().queued) }
    })
  }

  return {
    registry,
    /** One answered request; `route` is the matched template, never the raw URL. */
    request (method: string, route: string, status: number, seconds: number) {
      httpDuration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds)
    },
    audit (event: AuditEventName) { auditEvents.inc({ event }) },
    login (route: string, outcome: string) { loginAttempts.inc({ route, outcome }) },
    rateLimited (bucket: 'auth' | 'api') { rateLimited.inc({ bucket }) },
    problem (status: number, code: string) { problems.inc({ status: String(status), code }) }
  }
}

export type Metrics = ReturnType<typeof createMetrics>
