import { SpanStatusCode, trace, type Span } from '@opentelemetry/api'
import { passwordHashing } from '../auth/passwords.js'

type Traced = { operation: 'hash' | 'verify', span?: Span }

/** A span per password hash or verification, child of the request that asked for it; it holds the operation only. */
export function traceHashing () {
  const tracer = trace.getTracer('secure-api')
  passwordHashing.subscribe({
    start (message) {
      const m = message as Traced
      const attributes = { 'password.operation': m.operation, 'password.algorithm': 'argon2id' }
      m.span = tracer.startSpan(`password.${m.operation}`, { attributes })
    },
    end () {},
    asyncStart () {},
    asyncEnd (message) { (message as Traced).span?.end() },
    error (message) { (message as Traced).span?.setStatus({ code: SpanStatusCode.ERROR }) }
  })
}
