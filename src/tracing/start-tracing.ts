import { NodeSDK } from '@opentelemetry/sdk-node'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { trace } from '@opentelemetry/api'
import { addTraceFieldsToLogs } from '../logger.js'
import { traceHashing } from './hash-spans.js'

/**
 * OpenTelemetry tracing, loaded by src/server.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is set (so
 * nothing of it is in the process otherwise), before the app and its MySQL driver are loaded:
 * - a span per request (@fastify/otel, the Fastify organization's instrumentation): route template,
 *   method, status; the path without its query string;
 * - a span per SQL statement (mysql2): the statement text only, never its bound values;
 * - a span per password hash or verification (the hasher's tracing channel);
 * - `trace_id` and `span_id` on every log line written inside a span.
 * The exporter is OTLP over HTTP (OTEL_EXPORTER_OTLP_* variables; the service name is OTEL_SERVICE_NAME).
 */
export function startTracing () {
  process.env.OTEL_SERVICE_NAME ??= 'secure-api'
  // traces only: no OTLP metrics or logs unless asked for (metrics are Prometheus', logs are pino's)
  process.env.OTEL_METRICS_EXPORTER ??= 'none'
  process.env.OTEL_LOGS_EXPORTER ??= 'none'
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false, // one span per request and its handler, not one per hook
        recordExceptions: false, // an error's stack and message stay in the log, where they are redacted
        requestHook: (span, request) => {
          span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`)
          span.setAttribute('url.path', request.url.split('?')[0]!)
        }
      }),
      // the statement as written (with its ? placeholders), never formatted with the values
      new MySQL2Instrumentation({ maskStatement: true, maskStatementHook: (sql) => sql })
    ]
  })
  sdk.start()
  traceHashing()
  addTraceFieldsToLogs((): Record<string, string> => {
    const span = trace.getActiveSpan()
    if (!span) return {}
    const { traceId, spanId } = span.spanContext()
    return { trace_id: traceId, span_id: spanId }
  })
  return { shutdown: () => sdk.shutdown() }
}
