import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { projectRoot } from '../src/paths.js'
import { createConnection } from 'mysql2/promise'
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildOptions } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'

type Test = { teardown: (fn: () => unknown) => void }

export const TEST_MYSQL_URL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '')

const HOW_TO_START = `MySQL/MariaDB is not reachable at ${TEST_MYSQL_URL} (set TEST_MYSQL_URL to point elsewhere).
npm test starts or installs it first (scripts/test-prereqs.sh); alone: bash scripts/test-prereqs.sh`

/** A root connection to the test server; fails loudly, saying how to start MySQL. */
export async function adminConnection () {
  const u = new URL(TEST_MYSQL_URL)
  try {
    return await createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username) || 'root',
      password: decodeURIComponent(u.password)
    })
  } catch (err) {
    throw new Error(`${HOW_TO_START}\n(${(err as Error).message})`)
  }
}

/** A database name no other test file or rerun uses. */
export const uniqueDatabaseName = () => `sa_test_${process.pid}_${randomBytes(4).toString('hex')}`

/** Creates a fresh, uniquely named database for this test and drops it at teardown. */
export async function createTestDatabase (t: Test): Promise<string> {
  const name = uniqueDatabaseName()
  const conn = await adminConnection()
  await conn.query(`CREATE DATABASE \`${name}\``)
  await conn.end()
  t.teardown(() => dropDatabase(name))
  return `${TEST_MYSQL_URL}/${name}`
}

export async function dropDatabase (name: string) {
  const conn = await adminConnection()
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
  await conn.end()
}

/** A temporary folder removed at teardown. */
export function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'secure-api-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A clock tests move by hand. */
export function testClock (start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
    set: (ms: number) => {
      now = ms
    }
  }
}

export type Store = 'mysql' | 'sqlite'
export const stores: Store[] = ['mysql', 'sqlite']

export interface TestAppOptions extends BuildOptions {
  store?: Store
  config?: Partial<Config>
  /** Register extra routes before the app is ready (testing a plugin's behaviour). */
  before?: (app: FastifyInstance) => Promise<void> | void
}

/**
 * Every password check may wait for a hashing thread instead of the admission limit answering 503
 * overloaded: the default for test apps (a parallel suite on two cores makes hashes slow, and tests
 * of concurrent logins are about something else), unless a test sets the gate itself
 * (test/auth/hash-admission.test.ts).
 */
export const EVERY_HASH_WAITS = { HASH_QUEUE_MAX: 1000, HASH_QUEUE_TIMEOUT_MS: 60_000 }

/** The app on a fresh database (MySQL unless asked otherwise), closed and dropped at teardown. */
export async function buildTestApp (t: Test, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const { store = 'mysql', config = {}, before, ...build } = options
  const DATABASE_URL = config.DATABASE_URL ?? (store === 'mysql' ? await createTestDatabase(t) : 'sqlite::memory:')
  // every test request comes from 127.0.0.1: per-IP limits are raised unless a test sets them; the event-loop
  // overload check is off and every hash waits unless a test sets them (a loaded machine would answer 503 to a
  // test about something else)
  const app = await buildApp(
    loadConfig(
      {},
      {
        LOG_LEVEL: 'silent',
        DATA_DIR: tempDir(t),
        RATE_LIMIT_MAX: 1000000,
        RATE_LIMIT_AUTH_MAX: 1000000,
        OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 0,
        ...EVERY_HASH_WAITS,
        ...config,
        DATABASE_URL
      }
    ),
    build
  )
  t.teardown(() => app.close())
  await before?.(app)
  await app.ready()
  return app
}

/** Runs a compiled script of the project (npm test builds first) and collects its output and exit code. */
export function runScript (
  script: string,
  env: Record<string, string>,
  onOutput?: (stdout: string, child: ChildProcess) => void,
  args: string[] = []
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, script), ...args], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
      onOutput?.(stdout, child)
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.stdin.end()
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** What several instances on one database must share, as an operator would configure it. */
export function sharedKeys () {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  }
}
