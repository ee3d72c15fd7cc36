import t from 'tap'
import { stores } from '../helper.js'
import { codeAt, PERIOD_MS } from '../../src/auth/totp.js'
import { authApp, code, enrolledUser, login, nextStep, post, type Clock } from './flow.js'

/** A six-digit code that none of the steps the server accepts (T-1..T+1) would produce for this secret. */
function wrongCode (secret: string, clock: Clock) {
  const accepted = new Set([-1, 0, 1].map((s) => codeAt(secret, clock.now() + s * PERIOD_MS)))
  for (let n = 0; ; n++) {
    const candidate = String((Number(code(secret, clock)) + 1 + n) % 1_000_000).padStart(6, '0')
    if (!accepted.has(candidate)) return candidate
  }
}

for (const store of stores) {
  t.test(`confirming the secret staged by a 2FA reset needs a current code from that secret (${store})`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    const resetCode = code(u.secret, clock)
    const reset = await post(app, '/auth/2fa/reset', { password: u.password, code: resetCode }, access)
    t.equal(reset.statusCode, 200)
    const { secret: staged, enrollment_token: token } = reset.json() as { secret: string; enrollment_token: string }

    const refused = {
      'a wrong code': wrongCode(staged, clock),
      'a code of the staged secret five steps ahead': code(staged, clock, 5),
      'a code of the staged secret five steps behind': code(staged, clock, -5),
      "the old secret's code that authorised the reset (replayed)": resetCode,
      'a fresh code of the old secret': code(u.secret, clock, 1)
    }
    for (const [what, attempt] of Object.entries(refused)) {
      const res = await post(app, '/auth/2fa/verify', { code: attempt }, token)
      t.equal(res.statusCode, 401, `${what} is refused`)
      t.equal(res.json().code, 'invalid_code', what)
    }
    const qr = await app.inject({
      url: `/auth/generate_qr/${u.username}`,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' }
    })
    t.equal(qr.json().secret, staged, 'the secret is still only staged')
    nextStep(clock)
    nextStep(clock)
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(staged, clock) }))
        .statusCode,
      401,
      'the staged secret does not log in'
    )

    const confirmingCode = code(staged, clock)
    t.equal(
      (await post(app, '/auth/2fa/verify', { code: confirmingCode }, token)).statusCode,
      200,
      'a current code of the staged secret confirms it'
    )
    const replay = await post(app, '/auth/login', { username: u.username, password: u.password, code: confirmingCode })
    t.equal(replay.statusCode, 401, 'the confirming code cannot be replayed to log in')
    t.equal(replay.json().code, 'invalid_code')
    t.equal(
      (await post(app, '/auth/2fa/verify', { code: confirmingCode }, token)).statusCode,
      409,
      'nor to confirm again'
    )
    nextStep(clock)
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
        .statusCode,
      401,
      'the old secret is dead'
    )
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(staged, clock) }))
        .statusCode,
      200,
      'the confirmed secret logs in at the next step'
    )
  })
}
