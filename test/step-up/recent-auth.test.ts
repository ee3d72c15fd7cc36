import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { ApiError } from '../../src/errors.js'
import { MAX_CLOCK_SKEW, requireRecentAuth, stepUpChallenge } from '../../src/step-up/recent-auth.js'

/** The check alone, on plain request objects: it reads only request.user.authTime (seconds) and the clock. */

const NOW_MS = 1_800_000_000_000
const NOW_S = NOW_MS / 1000
const check = (maxAge: number, authTime: number, nowMs = NOW_MS) =>
  requireRecentAuth(maxAge, () => nowMs)({ user: { authTime } } as unknown as FastifyRequest)
const refusal = (p: Promise<unknown>) => p.then(() => 'passed', (err: unknown) => err)

t.test('the RFC 9470 challenge', async (t) => {
  t.equal(stepUpChallenge(300),
    'Bearer error="insufficient_user_authentication", ' +
    'error_description="A more recent authentication is required", max_age=300')
  t.equal(MAX_CLOCK_SKEW, 60)
})

t.test('exactly maxAge seconds old passes; a second (or a millisecond) more does not', async (t) => {
  t.equal(await refusal(check(300, NOW_S)), 'passed', 'just now')
  t.equal(await refusal(check(300, NOW_S - 300)), 'passed', 'exactly at maxAge')
  t.match(await refusal(check(300, NOW_S - 300, NOW_MS + 1)), { code: 'insufficient_user_authentication' },
    'a millisecond over')
  const err = await refusal(check(300, NOW_S - 301))
  t.ok(err instanceof ApiError)
  t.match(err, {
    status: 401,
    code: 'insufficient_user_authentication',
    title: 'A more recent authentication is required: step up with POST /auth/step-up',
    detail: 'This operation needs an authentication less than 300 seconds old: step up with POST /auth/step-up',
    headers: { 'www-authenticate': stepUpChallenge(300) }
  })
  t.same((err as ApiError).headers, { 'www-authenticate': stepUpChallenge(300) })
  t.match(await refusal(check(60, NOW_S - 61)), {
    detail: /less than 60 seconds old/,
    headers: { 'www-authenticate': stepUpChallenge(60) }
  }, 'the age comes from the caller')
})

t.test('an auth_time in the future: within MAX_CLOCK_SKEW passes, beyond it does not', async (t) => {
  t.equal(await refusal(check(300, NOW_S + 1)), 'passed')
  t.equal(await refusal(check(300, NOW_S + MAX_CLOCK_SKEW)), 'passed', 'exactly the skew')
  t.match(await refusal(check(300, NOW_S + MAX_CLOCK_SKEW + 1)), {
    code: 'insufficient_user_authentication',
    headers: { 'www-authenticate': stepUpChallenge(300) }
  })
  t.match(await refusal(check(300, NOW_S + 3600)), { code: 'insufficient_user_authentication' })
})

t.test('an auth_time that is not a number is not recent: the check fails closed', async (t) => {
  for (const authTime of [Number.NaN, Infinity, -Infinity, undefined, null, '', String(NOW_S), 'now', {}, [NOW_S]]) {
    const outcome = await refusal(check(300, authTime as unknown as number))
    t.match(outcome, { code: 'insufficient_user_authentication' }, `auth_time ${typeof authTime} ${String(authTime)}`)
  }
  t.equal(await refusal(check(300, NOW_S)), 'passed', 'a number just now still passes')
})
