import t from 'tap'
import { authApp, enrolledUser, post, PASSWORD } from './flow.js'
import { stores } from '../helper.js'
import { canonicalUsername } from '../../src/auth/username.js'

/** Login spellings and what they reach: the canonical name of an account, 'unknown', or 'invalid' (400). */
const LOGINS: Array<[string, string]> = [
  ['ed1', 'ed1'],
  ['ED1', 'ed1'],
  ['Ed1', 'ed1'],
  ['ｅｄ１', 'ed1'],
  ['ＥＤ１', 'ed1'],
  ['\uFF45d1', 'ed1'],
  ['\u212Auser', 'kuser'],
  ['KUSER', 'kuser'],
  ['kUsEr', 'kuser'],
  ['mixed.case_1-x', 'mixed.case_1-x'],
  ['MIXED.CASE_1-X', 'mixed.case_1-x'],
  ['ed1 ', 'invalid'],
  [' ed1', 'invalid'],
  ['ed1\t', 'invalid'],
  ['ed1\u3000', 'invalid'],
  ['ed1\u0000', 'invalid'],
  ['ed\u200B1', 'invalid'],
  ['ed1\u00A0', 'invalid'],
  ['e\u0301d1', 'invalid'],
  ['\u0130'.repeat(30), 'invalid'],
  ['\u0130d1', 'invalid'],
  ['ed', 'invalid'],
  ['\uD800ed1', 'invalid'],
  ['ed1\u202E', 'invalid'],
  ['x'.repeat(50), 'unknown'],
  ['nobody', 'unknown'],
  ['straße', 'unknown'],
  ['STRASSE', 'unknown']
]

t.test('the canonical form (RFC 8265 UsernameCaseMapped)', async (t) => {
  t.equal(canonicalUsername('\u212A'.repeat(3)), 'kkk', 'Kelvin sign: case folding, not only lower-casing')
  t.equal(canonicalUsername('STRAẞE'), 'strasse', 'full case folding: ẞ is ss')
  t.equal(canonicalUsername('ſed'), 'sed', 'long s folds to s')
  t.equal(canonicalUsername('\u0130'.repeat(25)), null, 'U+0130 folds to two code points: checked after folding')
  t.equal(canonicalUsername('Ａｂｃ＿１'), 'abc_1', 'full-width forms are width-mapped')
  t.equal(canonicalUsername('ab\uFF0Ec'), 'ab.c')
})

for (const store of stores) {
  t.test(`one canonical username on ${store}`, async (t) => {
    const { app, clock } = await authApp(t, { store, config: { LOGIN_MAX_FAILURES: 3 } })
    for (const name of ['ed1', 'kuser', 'Mixed.Case_1-x']) await enrolledUser(app, clock, name)

    t.test('login: every spelling reaches the canonical account, or is refused the same way', async (t) => {
      for (const [spelling, expected] of LOGINS) {
        const res = await post(app, '/auth/login', { username: spelling, password: PASSWORD })
        const what = JSON.stringify(spelling)
        if (expected === 'invalid') {
          t.equal(res.statusCode, 400, what)
          t.match(res.json(), { code: 'validation_failed', errors: [{ pointer: '/body/username' }] }, what)
        } else if (expected === 'unknown') {
          t.equal(res.statusCode, 401, what)
        } else {
          t.equal(res.statusCode, 200, what)
          t.equal(res.json().mfa_required, true, what)
        }
      }
    })

    t.test('registration: a name taken in another spelling is taken; no canonical form is a 400', async (t) => {
      for (const name of ['ED1', 'KUser', 'mixed.CASE_1-X']) {
        t.equal(
          (await post(app, '/auth/register', { username: name, password: PASSWORD })).json().code,
          'username_taken',
          name
        )
      }
      for (const name of ['ed1 ', '\u212Auser', 'ｅｄ２', '\u0130'.repeat(30), 'ed\u200B2']) {
        t.equal(
          (await post(app, '/auth/register', { username: name, password: PASSWORD })).statusCode,
          400,
          JSON.stringify(name)
        )
      }
    })

    t.test('throttling counts every spelling against the canonical name', async (t) => {
      for (const spelling of ['KUSER', 'ｋｕｓｅｒ', '\u212Auser']) {
        t.equal(
          (await post(app, '/auth/login', { username: spelling, password: 'wrong password!' })).statusCode,
          401,
          spelling
        )
        clock.advance(10_000) // past the growing delay, not the lock
      }
      const locked = await post(app, '/auth/login', { username: 'kuser', password: PASSWORD })
      t.equal(locked.statusCode, 429, 'three failures in three spellings lock kuser')
    })
  })
}
