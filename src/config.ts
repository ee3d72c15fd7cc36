import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * The environment, as one TypeBox schema: it validates `process.env`, gives the
 * `Config` type, and its descriptions are the README's configuration table.
 */
const Int = (description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ description, default: def, minimum, maximum })

export const EnvSchema = Type.Object({
  HOST: Type.String({ description: 'interface to listen on', default: '127.0.0.1', minLength: 1 }),
  PORT: Int('TCP port to listen on (0 picks a free one)', 3000, 0, 65535),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { description: 'pino log level: fatal, error, warn, info, debug, trace or silent', default: 'info' }
  ),
  DATABASE_URL: Type.String({
    description: 'store: mysql://user:pass@host:port/db, sqlite:<path> or sqlite::memory:; unset = SQLite file in DATA_DIR',
    default: '',
    pattern: '^(|mysql://.+|sqlite:.+)$'
  }),
  DATA_DIR: Type.String({ description: 'folder for the embedded store and generated keys', default: './data', minLength: 1 }),
  DB_CONNECT_TIMEOUT_MS: Int('how long startup keeps retrying an unreachable MySQL server, in ms', 30000, 0, 600000),
  DB_POOL_SIZE: Int('MySQL connection pool size', 10, 1, 1000),
  BODY_LIMIT: Int('largest accepted request body, in bytes', 65536, 1024, 10485760),
  SHUTDOWN_TIMEOUT_MS: Int('how long in-flight requests may run after SIGTERM/SIGINT, in ms', 10000, 100, 600000),
  TRUST_PROXY: Type.Boolean({ description: 'trust X-Forwarded-* headers (only behind a proxy you run)', default: false })
})

export type Config = Static<typeof EnvSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** What a variable accepts, in words, for the one-line startup error. */
function expected (schema: TSchema): string {
  const range = schema.minimum !== undefined ? ` between ${schema.minimum} and ${schema.maximum}` : ''
  const kind = schema.type === 'integer' ? `an integer${range}` : schema.type === 'boolean' ? 'true or false' : ''
  return [kind, schema.description].filter(Boolean).join(': ')
}

/** Reads the environment into a typed config; throws a ConfigError naming the first bad variable. */
export function loadConfig (env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  const known: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const raw = env[key]
    if (raw !== undefined && raw !== '') known[key] = raw
  }
  const value = Value.Convert(EnvSchema, Value.Default(EnvSchema, { ...known, ...overrides }))
  const error = Value.Errors(EnvSchema, value).First()
  if (error) {
    const name = error.path.replace(/^\//, '')
    const schema = (EnvSchema.properties as Record<string, TSchema>)[name] ?? error.schema
    throw new ConfigError(`Invalid configuration: ${name} must be ${expected(schema)} (got ${JSON.stringify(known[name] ?? null)})`)
  }
  return value as Config
}
