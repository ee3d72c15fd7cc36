import t from 'tap'
import { newApiKey } from '../../src/api-keys/key-format.js'
import { runScript } from '../helper.js'

/** The CLI's offline key check, in a child process (apart from key-format.test.ts, which runs in milliseconds). */
const cli = (...args: string[]) => runScript('dist/src/cli.js', { LOG_LEVEL: 'silent' }, undefined, args)

t.test('K1: npm run cli -- check-key: offline, no DATABASE_URL needed', async (t) => {
  const good = await cli('check-key', newApiKey())
  t.equal(good.stdout, 'well-formed\n')
  t.equal(good.code, 0)
  const key = newApiKey()
  for (const value of [`${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`, 'ghp_abc', 'hello']) {
    const bad = await cli('check-key', value)
    t.equal(bad.stdout, 'not a key of this service\n', value)
    t.equal(bad.code, 1)
  }
  t.match((await cli('--help')).stdout, /check-key <key>/)
})
