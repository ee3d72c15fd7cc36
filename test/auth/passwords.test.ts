import t from 'tap'
import { createPasswordHasher } from '../../src/auth/passwords.js'

t.test('argon2id with the configured cost; look-alike input hashes alike; an unknown user never verifies',
  async (t) => {
    const hasher = await createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 })
    const hash = await hasher.hash('ﬁne ｐassphrase of mine')
    t.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
    t.equal(await hasher.verify(hash, 'fine passphrase of mine'), true, 'NFKC: the ligature and full width fold')
    t.equal(await hasher.verify(hash, 'ﬁne ｐassphrase of mine'), true)
    t.equal(await hasher.verify(hash, 'fine passphrase of mine '), false)
    t.equal(await hasher.verify(undefined, 'fine passphrase of mine'), false, 'no hash: the dummy is checked, false')
    t.equal(await hasher.verify(undefined, ''), false)
  })
