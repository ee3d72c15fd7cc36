import t from 'tap'
import { acrOf, amrFromText, amrToText, authClaims, type Amr } from '../../src/step-up/auth-event.js'

const ALL: Amr[] = ['pwd', 'otp', 'hwk', 'user']
/** Every subset of the amr values, in their order. */
const subsets = ALL.reduce<Amr[][]>((acc, v) => [...acc, ...acc.map((s) => [...s, v])], [[]])

t.test('acrOf: aal2 for a password and a code, or a passkey that verified its user; aal1 for anything else',
  async (t) => {
    t.equal(subsets.length, 16)
    for (const amr of subsets) {
      const has = (v: Amr) => amr.includes(v)
      const expected = (has('pwd') && has('otp')) || (has('hwk') && has('user')) ? 'aal2' : 'aal1'
      t.equal(acrOf(amr), expected, amr.join(',') || '(none)')
      t.equal(acrOf([...amr].reverse()), expected, 'the order does not matter')
    }
    t.equal(acrOf(['pwd', 'sms', 'face']), 'aal1', 'values it does not know count for nothing')
  })

t.test('the stored text of an amr list, and back: unknown values dropped, nothing from nothing', async (t) => {
  t.equal(amrToText(['pwd', 'otp']), 'pwd,otp')
  t.equal(amrToText(['hwk', 'user']), 'hwk,user')
  t.equal(amrToText([]), '')
  for (const amr of subsets) t.same(amrFromText(amrToText(amr)), amr, `round trip: ${amr.join(',')}`)
  t.same(amrFromText('pwd,sms,,otp,PWD, hwk,user'), ['pwd', 'otp', 'user'])
  t.same(amrFromText(''), [])
  t.same(amrFromText(null), [])
  t.same(amrFromText(undefined), [])
})

t.test('authClaims: auth_time in whole seconds, rounded down; amr as given; its acr', async (t) => {
  t.same(authClaims({ at: 1_700_000_000_999, amr: ['pwd', 'otp'] }), {
    auth_time: 1_700_000_000,
    amr: ['pwd', 'otp'],
    acr: 'aal2'
  })
  t.same(authClaims({ at: 1_700_000_001_000, amr: ['pwd'] }), { auth_time: 1_700_000_001, amr: ['pwd'], acr: 'aal1' })
  t.same(authClaims({ at: 999, amr: ['hwk', 'user'] }), { auth_time: 0, amr: ['hwk', 'user'], acr: 'aal2' })
})
