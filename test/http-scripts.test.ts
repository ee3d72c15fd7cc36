import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { codeAt, PERIOD_MS } from '../src/auth/totp.js'
import { projectRoot } from '../src/paths.js'
import { post } from './auth/flow.js'
import { buildTestApp } from './helper.js'

t.test('the http/*.http scripts pass against a live server (httpyac)', async (t) => {
  // the scripts compute codes from the real clock, so this server keeps the real one
  const app = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const host = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const meta = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }
  const admin = await app.services.auth.createAccount(`httpadmin${process.pid}`, 'an admin passphrase', 'admin', meta)
  // a code of step T-1 (admin.http logs in with T) is accepted only while the server is still in T: start early in a
  // step
  const left = PERIOD_MS - (Date.now() % PERIOD_MS)
  if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 100))
  const confirmed = await post(
    app,
    '/auth/2fa/verify',
    { code: codeAt(admin.enrollment.secret, Date.now() - PERIOD_MS) },
    admin.enrollment.enrollment_token
  )
  t.equal(confirmed.statusCode, 200)

  // api-key.http gets a key made by an editor's interactive login, as its README section says
  const editor = await app.services.auth.createAccount(`httpkeys${process.pid}`, 'an editor passphrase', 'editor', meta)
  t.equal(
    (
      await post(
        app,
        '/auth/2fa/verify',
        { code: codeAt(editor.enrollment.secret, Date.now() - PERIOD_MS) },
        editor.enrollment.enrollment_token
      )
    ).statusCode,
    200
  )
  const editorLogin = await post(app, '/auth/login', {
    username: editor.user.username,
    password: 'an editor passphrase',
    code: codeAt(editor.enrollment.secret, Date.now())
  })
  const created = await post(
    app,
    '/api/keys',
    { name: 'http script', permissions: ['products:read', 'products:write', 'products:delete'], expires_in_days: 1 },
    editorLogin.json().access_token
  )
  t.equal(created.statusCode, 201)

  const files = ['seed-flow.http', 'account.http', 'admin.http', 'step-up.http', 'api-key.http'].map((f) =>
    join('http', f)
  )
  const vars = [
    `host=${host}`,
    `admin_username=${admin.user.username}`,
    'admin_password=an admin passphrase',
    `admin_secret=${admin.enrollment.secret}`,
    `api_key=${created.json().key}`
  ]
  const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(
      join(projectRoot, 'node_modules/.bin/httpyac'),
      ['send', ...files, '--all', '-o', 'short', ...vars.flatMap((v) => ['--var', v])],
      { cwd: projectRoot, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })
    )
  })
  const summary = /(\d+) requests processed \((\d+) succeeded\)/.exec(run.out)
  if (!summary) t.comment(run.out.slice(-3000))
  t.ok(summary, 'httpyac printed its summary')
  t.ok(Number(summary?.[1]) >= 52, `${summary?.[1]} requests`)
  t.equal(summary?.[1], summary?.[2], 'every request and assertion succeeded')
  t.notMatch(run.out, /✖/)
  t.equal(run.code, 0)
})
