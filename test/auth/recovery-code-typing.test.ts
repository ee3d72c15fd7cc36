import t from 'tap'
import { hashRecoveryCode, newRecoveryCodes } from '../../src/auth/recovery-codes.js'

t.test('a recovery code is the same code however it is typed: case, spaces, dashes or none', async (t) => {
  const [code] = newRecoveryCodes() as [string]
  const bare = code.replace(/-/g, '')
  t.equal(bare.length, 16)
  const spaced = ` ${code.replace(/-/g, ' ')} `
  for (const typed of [bare, bare.toUpperCase(), spaced, code.toUpperCase(), `${bare.slice(0, 8)}-${bare.slice(8)}`]) {
    t.equal(hashRecoveryCode(typed), hashRecoveryCode(code), JSON.stringify(typed))
  }
  t.not(hashRecoveryCode(bare.slice(1)), hashRecoveryCode(code), 'a symbol short is another code')
  t.not(hashRecoveryCode(`${bare}x`), hashRecoveryCode(code), 'a symbol more too')
})
