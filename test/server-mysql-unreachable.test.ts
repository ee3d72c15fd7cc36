import t from 'tap'
import { join } from 'node:path'
import { runScript, tempDir } from './helper.js'

// its own file: the retry runs its full 30 s, which with the other server tests exceeded one file's time limit

t.test(
  'an unreachable MySQL server, default DB_CONNECT_TIMEOUT_MS: retries for 30 s naming the error, then one line',
  async (t) => {
    const run = await runScript('dist/src/server.js', {
      DATABASE_URL: 'mysql://root@127.0.0.1:1/x',
      DATA_DIR: join(tempDir(t), 'd')
    })
    t.equal(run.code, 1)
    t.equal(
      run.stderr,
      'Startup failed: MySQL at 127.0.0.1:1 is unreachable (ECONNREFUSED); gave up after 30000 ms\n',
      "the retry DB_CONNECT_TIMEOUT_MS promises ran to its end: Fastify's plugin timeout did not cut it"
    )
    const retries = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'MySQL not reachable yet, retrying')
    t.ok(retries.length >= 15, `backoff capped at 2 s: many tries in 30 s (${retries.length})`)
    t.ok(
      retries.every((line) => line.error_code === 'ECONNREFUSED' && line.host === '127.0.0.1' && line.port === 1),
      'each retry line names the error code, host and port'
    )
    t.notMatch(run.stdout, /redacted/, 'nothing in the retry lines is redacted')
  }
)
