import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { projectRoot } from '../../src/paths.js'
import { codeAt } from '../../src/auth/totp.js'
import { createTestDatabase, sharedKeys, tempDir } from '../helper.js'
import { freePort } from '../metrics/free-port.js'
import { attributesOf, otlpReceiver, type OtlpSpan } from './otlp-receiver.js'

t.test('A10: a login\'s trace reaches an OTLP receiver: request, SQL, hash spans; no secret in them', async (t) => {
  const receiver = await otlpReceiver()
  t.teardown(receiver.close)
  const port = await freePort()
  const keys = sharedKeys()
  const child = spawn(process.execPath, [join(projectRoot, 'dist/src/server.js')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATA_DIR: tempDir(t),
      DATABASE_URL: await createTestDatabase(t),
      ...keys,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100'
    }
  })
  let logs = ''
  child.stdout.on('data', (d) => { logs += d })
  child.stderr.on('data', (d) => { logs += d })
  const closed = once(child, 'close')
  t.teardown(async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await closed } })
  for (let i = 0; i < 200 && !logs.includes('Server listening'); i++) await sleep(100)
  t.match(logs, /Server listening/, 'the instance started')

  const base = `http://127.0.0.1:${port}`
  const post = async (path: string, body: object, token?: string) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body)
    })
    return { status: res.status, body: await res.json() as Record<string, any> }
  }
  const password = 'tracing is on today 7'
  const reg = await post('/auth/register', { username: 'tracy', password })
  t.equal(reg.status, 201)
  const { secret, enrollment_token: enrollmentToken } = reg.body.enrollment
  const code = codeAt(secret, Date.now())
  const verify = await post('/auth/2fa/verify', { code }, enrollmentToken)
  t.equal(verify.status, 200)
  const [recoveryCode, ...otherCodes] = verify.body.recovery_codes as string[]
  const login = await post('/auth/login', { username: 'tracy', password, recovery_code: recoveryCode })
  t.equal(login.status, 200)

  let request: OtlpSpan | undefined
  let trace: OtlpSpan[] = []
  for (let i = 0; i < 100; i++) {
    request = receiver.spans().find((s) => {
      const a = attributesOf(s)
      return a['http.route'] === '/auth/login' && a['http.response.status_code'] === 200
    })
    trace = request ? receiver.spans().filter((s) => s.traceId === request!.traceId) : []
    const hashed = trace.some((s) => s.name === 'password.verify')
    if (hashed && trace.some((s) => attributesOf(s)['db.system.name'] === 'mysql')) break
    await sleep(100)
  }
  t.ok(request, 'the request span, with the route template and status')
  t.equal(request?.name, 'POST /auth/login')
  t.equal(attributesOf(request!)['http.request.method'], 'POST')
  const sql = trace.filter((s) => attributesOf(s)['db.system.name'] === 'mysql')
  t.ok(sql.length >= 3, `its SQL spans (${sql.length})`)
  const statements = sql.map((s) => String(attributesOf(s)['db.query.text']))
  t.ok(statements.some((s) => /^SELECT .* FROM users WHERE username_normalized = \?/.test(s)), 'the user lookup, with its placeholder')
  t.ok(statements.every((s) => !s.includes('tracy')), 'no bound value in a statement')
  const hash = trace.find((s) => s.name === 'password.verify')
  t.ok(hash, 'the hash span')
  t.same(attributesOf(hash!)['password.operation'], 'verify')
  const byId = new Map(trace.map((s) => [s.spanId, s]))
  const rootOf = (s: OtlpSpan): OtlpSpan => {
    const parent = s.parentSpanId && byId.get(s.parentSpanId)
    return parent ? rootOf(parent) : s
  }
  t.equal(rootOf(hash!).spanId, request!.spanId, 'the hash belongs to the request')

  // every span sent, not only the login's: nothing typed or handed out is in any of them
  const sent = receiver.bodies.join('\n')
  const secrets = {
    password,
    secret,
    code,
    enrollmentToken,
    recoveryCode,
    ...Object.fromEntries(otherCodes.map((c, i) => [`code${i}`, c])),
    accessToken: login.body.access_token,
    refreshToken: login.body.refresh_token,
    privateKey: keys.JWT_PRIVATE_KEY.split('\n')[1],
    totpKey: keys.TOTP_ENCRYPTION_KEY
  }
  for (const [what, value] of Object.entries(secrets)) {
    t.ok(value && !sent.includes(value), `no ${what} in any span`)
  }
  t.notMatch(sent, /\$argon2id\$/, 'no password hash either (the INSERT\'s values are not in its statement)')

  const traced = logs.split('\n').filter((l) => l.includes(`"trace_id":"${request!.traceId}"`))
  t.ok(traced.length > 0, 'log lines of the login carry its trace_id')
  t.ok(traced.every((l) => /"span_id":"[0-9a-f]{16}"/.test(l)), 'and a span_id')
})
