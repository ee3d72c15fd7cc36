import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { availableParallelism } from 'node:os'
import { ROLE_NAMES } from '../schemas/access.js'

/**
 * The environment, as one TypeBox schema: it validates `process.env`, gives the
 * `Config` type, and its descriptions are the README's configuration table.
 */
const Int = (description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ description, default: def, minimum, maximum })

export const EnvSchema = Type.Object({
  HOST: Type.String({ description: 'interface to listen on', default: '127.0.0.1', minLength: 1 }),
  PORT: Int('TCP port to listen on (0 picks a free one)', 3000, 0, 65535),
  LISTEN_SOCKETS: Int(
    'listening sockets on PORT (SO_REUSEPORT; Linux, Node >= 22.12, else 1): a busy event loop accepts one ' +
      'connection per socket per turn, so a burst of new connections is taken this many times faster',
    8,
    1,
    64
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { description: 'pino log level: fatal, error, warn, info, debug, trace or silent', default: 'info' }
  ),
  DATABASE_URL: Type.String({
    description:
      'store: mysql://user:pass@host:port/db, sqlite:<path> or sqlite::memory:; unset = SQLite file in DATA_DIR',
    default: '',
    pattern: '^(|mysql://.+|sqlite:.+)$',
    secret: true
  }),
  DATA_DIR: Type.String({
    description: 'folder for the embedded store and generated keys',
    default: './data',
    minLength: 1
  }),
  DB_CONNECT_TIMEOUT_MS: Int('how long startup keeps retrying an unreachable MySQL server, in ms', 30000, 0, 600000),
  DB_POOL_SIZE: Int('MySQL connection pool size', 10, 1, 1000),
  BODY_LIMIT: Int('largest accepted request body, in bytes', 65536, 1024, 10485760),
  HEADERS_TIMEOUT_MS: Int(
    'a client must have sent all request headers within this, in ms (else 408 and the socket is closed)',
    10000,
    1000,
    600000
  ),
  REQUEST_TIMEOUT_MS: Int(
    'a client must have sent the whole request, headers and body, within this, in ms (else 408 and the socket is ' +
      'closed); at least HEADERS_TIMEOUT_MS',
    30000,
    1000,
    600000
  ),
  KEEP_ALIVE_TIMEOUT_MS: Int(
    'an idle kept-alive connection is closed after this, in ms (longer than the idle timeout of a proxy in front)',
    72000,
    1000,
    600000
  ),
  SHUTDOWN_TIMEOUT_MS: Int('how long in-flight requests may run after SIGTERM/SIGINT, in ms', 10000, 100, 600000),
  TRUST_PROXY: Type.Boolean({
    description: 'trust X-Forwarded-* headers (only behind a proxy you run)',
    default: false
  }),
  TOTP_ISSUER: Type.String({
    description: 'issuer shown in authenticator apps',
    default: 'secure-api',
    minLength: 1,
    maxLength: 64,
    pattern: '^[^:]+$'
  }),
  TOTP_ENCRYPTION_KEY: Type.String({
    description:
      'AES-256-GCM key for TOTP secrets: 32 bytes as base64 or hex; unset = generated once in DATA_DIR (set it ' +
        'when several instances share a database)',
    default: '',
    pattern: '^(|[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$',
    secret: true
  }),
  JWT_PRIVATE_KEY: Type.String({
    description: 'PEM private key (RSA, 2048 bits or more) that signs access tokens',
    default: '',
    secret: true
  }),
  JWT_PRIVATE_KEY_FILE: Type.String({
    description: 'path of that PEM key, instead of JWT_PRIVATE_KEY; both unset = generated once in DATA_DIR',
    default: ''
  }),
  JWT_PREVIOUS_PUBLIC_KEYS: Type.String({
    description:
      'PEM public keys of earlier signing keys, still accepted during a rotation (several PEM blocks in a row)',
    default: ''
  }),
  JWT_PREVIOUS_PUBLIC_KEYS_FILE: Type.String({
    description: 'path of a file holding those PEM public keys, instead of JWT_PREVIOUS_PUBLIC_KEYS',
    default: ''
  }),
  JWT_ISSUER: Type.String({
    description: 'iss claim of access tokens, and the only one accepted',
    default: 'secure-api',
    minLength: 1
  }),
  JWT_AUDIENCE: Type.String({
    description: 'aud claim of access tokens, and the only one accepted',
    default: 'secure-api',
    minLength: 1
  }),
  ACCESS_TOKEN_TTL: Int('access token lifetime, in seconds', 900, 30, 86400),
  REFRESH_IDLE_TTL: Int(
    'a session ends when its refresh token is not used for this long, in seconds (slides on use)',
    604800,
    60,
    31536000
  ),
  REFRESH_ABSOLUTE_TTL: Int('a session ends this long after login whatever its use, in seconds', 2592000, 60, 31536000),
  SESSION_CHECK_CACHE_MS: Int(
    'how long an instance trusts its last look at a session, in ms: revocation reaches every instance within this',
    500,
    0,
    1000
  ),
  PURGE_INTERVAL: Int(
    'how often expired sessions, spent refresh tokens and expired one-time tokens are deleted, in seconds',
    3600,
    1,
    86400
  ),
  STEP_UP_MAX_AGE: Int(
    'routes marked recentAuth (passkeys, password, 2FA, admin changes) need an authentication at most this old, ' +
      'in seconds (else 401 insufficient_user_authentication: POST /auth/step-up)',
    300,
    30,
    86400
  ),
  WEBAUTHN_RP_ID: Type.String({
    description: 'passkeys: the relying party id, the domain passkeys are bound to (a host name, no scheme or port)',
    default: 'localhost',
    pattern: '^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$'
  }),
  WEBAUTHN_RP_NAME: Type.String({
    description: 'passkeys: the service name authenticators show; unset = TOTP_ISSUER',
    default: '',
    maxLength: 64
  }),
  WEBAUTHN_ORIGINS: Type.String({
    description:
      'passkeys: comma-separated exact origins (scheme://host[:port]) the browser pages run on, each on ' +
        'WEBAUTHN_RP_ID or a subdomain of it',
    default: 'http://localhost:3000',
    minLength: 1
  }),
  ENROLLMENT_TOKEN_TTL: Int('enrollment token lifetime (fetch the QR code, confirm 2FA), in seconds', 900, 60, 86400),
  MFA_TOKEN_TTL: Int(
    'lifetime of the mfa_token between the password step and the code step, in seconds',
    300,
    30,
    3600
  ),
  ARGON2_MEMORY_KIB: Int('argon2id memory cost in KiB (OWASP minimum 19456)', 19456, 19456, 4194304),
  ARGON2_TIME_COST: Int('argon2id iterations (OWASP minimum 2 at 19 MiB)', 2, 2, 100),
  ARGON2_PARALLELISM: Int('argon2id lanes', 1, 1, 16),
  LOGIN_MAX_FAILURES: Int(
    'failed password or code attempts on one account from one client address (an IPv6 /64) before that address is ' +
      'locked out of it (growing delays start at half)',
    10,
    2,
    100
  ),
  LOGIN_ACCOUNT_MAX_FAILURES: Int(
    'failed attempts on one account from all addresses together before the account is locked for everyone; keep ' +
      'it well above LOGIN_MAX_FAILURES',
    100,
    2,
    100000
  ),
  LOGIN_LOCK_SECONDS: Int(
    'first lock (of an address on an account, or of the account), in seconds; each further lock doubles it',
    900,
    1,
    86400
  ),
  RATE_LIMIT_MAX: Int('requests per minute from one IP address, all routes but /auth/*', 600, 1, 1000000),
  RATE_LIMIT_AUTH_MAX: Int('requests per minute from one IP address to /auth/*', 60, 1, 1000000),
  API_KEY_RATE_LIMIT: Int(
    'requests per minute with one API key, from every address together (on top of the per-IP limit)',
    600,
    1,
    1000000
  ),
  REDIS_URL: Type.String({
    description:
      'redis://host:port: share the per-IP and per-key rate limits between instances; unset = each instance ' +
        'counts alone',
    default: '',
    pattern: '^(|rediss?://.+)$',
    secret: true
  }),
  CORS_ORIGINS: Type.String({
    description: 'comma-separated origins allowed to call the API from a browser; empty = none',
    default: ''
  }),
  REGISTRATION: Type.Union([Type.Literal('open'), Type.Literal('closed')], {
    description: 'open: anyone may register; closed: POST /auth/register answers 403 (create accounts with the CLI)',
    default: 'open'
  }),
  DEFAULT_ROLE: Type.Union(
    ROLE_NAMES.map((r) => Type.Literal(r)),
    {
      description: `role given to self-registered users: ${ROLE_NAMES.slice(0, -1).join(', ')} or ${ROLE_NAMES.at(-1)}`,
      default: 'editor'
    }
  ),
  ADMIN_USERNAME: Type.String({
    description:
      'at startup, while no administrator exists, create this one with ADMIN_PASSWORD (2FA pending: log in with ' +
        'the password to enroll); unset = the CLI creates admins',
    default: '',
    maxLength: 64
  }),
  ADMIN_PASSWORD: Type.String({
    description: 'password of that first administrator (and of `cli create-admin`); needs ADMIN_USERNAME at startup',
    default: '',
    secret: true
  }),
  METRICS_PORT: Int(
    'TCP port of the separate Prometheus listener (GET /metrics); 0 or unset = no metrics',
    0,
    0,
    65535
  ),
  METRICS_HOST: Type.String({
    description: 'interface of the metrics listener (keep it private)',
    default: '127.0.0.1',
    minLength: 1
  }),
  UV_THREADPOOL_SIZE: Int('libuv thread pool size, read by Node at startup: password hashes run there', 4, 1, 1024),
  HASH_CONCURRENCY: Int(
    'password hashes run at once (default: CPU cores - 1, at least 1, at most ' +
      'UV_THREADPOOL_SIZE): the other cores stay with the event loop',
    1,
    1,
    1024
  ),
  HASH_QUEUE_MAX: Int(
    'password hashes that may wait for a thread; logins and registrations in progress beyond ' +
      'HASH_CONCURRENCY + this get 503 overloaded at once (default 4 × HASH_CONCURRENCY)',
    4,
    0,
    10000
  ),
  HASH_QUEUE_TIMEOUT_MS: Int(
    'longest wait for a hashing thread, in ms; then 503 overloaded (a login waits at most ' +
      'this for a thread, then one hash, plus its queries)',
    1000,
    10,
    60000
  ),
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: Int(
    'mean event-loop delay above which requests get 503 overloaded (health ' +
      'routes excepted), in ms; 0 = not checked',
    1000,
    0,
    60000
  ),
  OVERLOAD_MAX_EVENT_LOOP_UTILIZATION: Type.Number({
    description: 'event-loop utilization (0 to 1) above which requests get 503 overloaded; 0 = not checked',
    default: 0,
    minimum: 0,
    maximum: 1
  }),
  OVERLOAD_MAX_HEAP_USED_MB: Int(
    'V8 heap in use above which requests get 503 overloaded, in MB; 0 = not checked',
    0,
    0,
    1048576
  ),
  OVERLOAD_SAMPLE_INTERVAL_MS: Int(
    'how often those are measured, in ms (at least 100: a shorter window may hold no ' +
      'delay sample, which counts as overloaded)',
    1000,
    100,
    60000
  )
})

export type Config = Static<typeof EnvSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** What a variable accepts, in words, for the one-line startup error. */
function expected (schema: TSchema): string {
  const range = schema.minimum !== undefined ? ` between ${schema.minimum} and ${schema.maximum}` : ''
  const kinds: Record<string, string> = {
    integer: `an integer${range}`,
    number: `a number${range}`,
    boolean: 'true or false'
  }
  const kind = kinds[String(schema.type)] ?? ''
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
    // Variables marked secret (keys, URLs with passwords) are never echoed back.
    const got = schema.secret ? 'the value given' : JSON.stringify(known[name] ?? null)
    throw new ConfigError(`Invalid configuration: ${name} must be ${expected(schema)} (got ${got})`)
  }
  const config = value as Config
  // argon2 threads on every core starve the event loop (every other request): one core is left to it
  if (known.HASH_CONCURRENCY === undefined && overrides.HASH_CONCURRENCY === undefined) {
    config.HASH_CONCURRENCY = Math.min(config.UV_THREADPOOL_SIZE, Math.max(1, availableParallelism() - 1))
  }
  // the hash queue follows the hashes that run unless set: a longer one would only time out
  if (known.HASH_QUEUE_MAX === undefined && overrides.HASH_QUEUE_MAX === undefined) {
    config.HASH_QUEUE_MAX = 4 * config.HASH_CONCURRENCY
  }
  if (config.HEADERS_TIMEOUT_MS > config.REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration: HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS')
  }
  if (config.ADMIN_USERNAME !== '' && config.ADMIN_PASSWORD === '') {
    throw new ConfigError('Invalid configuration: ADMIN_USERNAME needs ADMIN_PASSWORD')
  }
  const badOrigin = webauthnOrigins(config).find((o) => !originOnRp(o, config.WEBAUTHN_RP_ID))
  if (badOrigin !== undefined) {
    throw new ConfigError(
      `Invalid configuration: WEBAUTHN_ORIGINS must be origins (scheme://host[:port]) on WEBAUTHN_RP_ID ${config.WEBAUTHN_RP_ID} or a subdomain of it (got ${JSON.stringify(badOrigin)})`
    )
  }
  return config
}

/** The WebAuthn origins, split. */
export const webauthnOrigins = (config: Pick<Config, 'WEBAUTHN_ORIGINS'>) =>
  config.WEBAUTHN_ORIGINS.split(',').map((o) => o.trim())

/** An exact origin (http or https, no path) whose host is the RP id or a subdomain of it. */
function originOnRp (origin: string, rpId: string): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.origin !== origin) return false
  return url.hostname === rpId || url.hostname.endsWith(`.${rpId}`)
}
