import { pino } from 'pino'
import { loadConfig, type Config } from '../src/config.js'
import { openStore } from '../src/db/open-store.js'
import type { Driver } from '../src/db/driver.js'
import { loadKeys } from '../src/tokens/keys.js'
import { passwordHasherFor } from '../src/auth/passwords.js'
import { createServices } from '../src/services.js'
import { sharedKeys, tempDir, testClock } from './helper.js'

type Test = Parameters<typeof tempDir>[0]
/** A test that can fail on an error (tap's `t.error`). */
export type Failing = { error: (err: unknown, message: string) => unknown }

export const silentLog = pino({ level: 'silent' })

/** The services' reportError for a test: a failure of work no request waited for fails the test. */
export const failOn = (t: Failing) => (err: unknown, message: string) => t.error(err, message)

/** A migrated SQLite store in memory, closed at teardown: the real SQL, no server, no HTTP. */
export async function memoryStore (t: Test): Promise<Driver> {
  const store = { DATABASE_URL: 'sqlite::memory:', DATA_DIR: tempDir(t), DB_CONNECT_TIMEOUT_MS: 1000, DB_POOL_SIZE: 1 }
  const db = await openStore(store, silentLog)
  t.teardown(() => db.close())
  return db
}

/** One RSA key pair and TOTP key per test file: generating them costs more than most unit tests. */
let keysOfThisFile: ReturnType<typeof sharedKeys> | undefined

/** A configuration as the app would load it, with test overrides. */
export const testConfig = (t: Test, overrides: Partial<Config> = {}) =>
  loadConfig({}, { LOG_LEVEL: 'silent', DATA_DIR: tempDir(t), ...(keysOfThisFile ??= sharedKeys()), ...overrides })

/** Every service, built by the composition root the app uses, on an in-memory store and a clock the test moves. */
export async function testServices (t: Test & Failing, overrides: Partial<Config> = {}) {
  const clock = testClock()
  const db = await memoryStore(t)
  const config = testConfig(t, overrides)
  const keys = await loadKeys(config, db, clock.now(), silentLog)
  const hasher = await passwordHasherFor(config)
  const services = createServices({ db, now: clock.now, config, keys, hasher, reportError: failOn(t) })
  return { clock, db, config, keys, services }
}

export const meta = { ip: '192.0.2.1', userAgent: 'unit test', requestId: 'unit' }
