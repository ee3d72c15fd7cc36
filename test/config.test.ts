import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EnvSchema, loadConfig } from '../src/config.js'
import { projectRoot } from '../src/paths.js'
import { runScript } from './helper.js'

t.test('defaults', async (t) => {
  const c = loadConfig({})
  t.match(c, { HOST: '127.0.0.1', PORT: 3000, LOG_LEVEL: 'info', DATABASE_URL: '', DATA_DIR: './data' })
})

t.test('values from the environment are converted to their types', async (t) => {
  const c = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', DATABASE_URL: 'mysql://u:p@h:1/db' })
  t.equal(c.PORT, 8080)
  t.equal(c.TRUST_PROXY, true)
})

t.test('a bad value names the variable and what it expects', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), {
    name: 'ConfigError',
    message: /^Invalid configuration: PORT must be an integer between 0 and 65535: .*\(got "eighty"\)$/
  })
  t.throws(() => loadConfig({ PORT: '70000' }), { message: /PORT/ })
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), { message: /LOG_LEVEL must be pino log level/ })
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://x' }), { message: /DATABASE_URL/ })
})

t.test('a bad variable stops the server with one line and a non-zero exit', async (t) => {
  const run = await runScript('dist/src/server.js', { PORT: 'eighty' })
  t.equal(run.code, 1)
  t.equal(
    run.stderr,
    'Invalid configuration: PORT must be an integer between 0 and 65535: ' +
      'TCP port to listen on (0 picks a free one) (got "eighty")\n'
  )
  t.notMatch(run.stderr, /\bat .*\.js/, 'no stack trace')
})

t.test('the README lists every variable with its default', async (t) => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
  for (const [name, schema] of Object.entries(EnvSchema.properties)) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\``))
    t.ok(row, `${name} has a row`)
    t.ok(row?.includes(`\`${String(schema.default)}\``) || schema.default === '', `${name} row shows its default`)
  }
})

t.test('W8: WebAuthn: the RP id is a host name and every origin an exact origin on it (one line)', async (t) => {
  t.match(loadConfig({}), {
    WEBAUTHN_RP_ID: 'localhost',
    WEBAUTHN_RP_NAME: '',
    WEBAUTHN_ORIGINS: 'http://localhost:3000'
  })
  t.doesNotThrow(() =>
    loadConfig({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com,https://app.example.com' })
  )
  for (const bad of ['Example.com', 'https://example.com', 'example.com:443', 'exa mple.com', '-x.com']) {
    t.throws(
      () => loadConfig({ WEBAUTHN_RP_ID: bad }),
      { name: 'ConfigError', message: /^Invalid configuration: WEBAUTHN_RP_ID must be/ },
      bad
    )
  }
  for (const bad of [
    'http://evil.com',
    'http://localhost:3000/',
    'http://localhost:3000/login',
    'ftp://localhost',
    'localhost:3000',
    'http://notlocalhost:3000',
    'http://localhost:3000,https://evil.example'
  ]) {
    t.throws(
      () => loadConfig({ WEBAUTHN_ORIGINS: bad }),
      { name: 'ConfigError', message: /^Invalid configuration: WEBAUTHN_ORIGINS must be origins .*\(got "[^"]*"\)$/ },
      bad
    )
  }
  t.throws(() => loadConfig({ WEBAUTHN_RP_NAME: 'x'.repeat(65) }), { message: /WEBAUTHN_RP_NAME/ })
})
