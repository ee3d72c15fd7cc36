import t from 'tap'
import { connect } from 'node:net'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../helper.js'
import { ConfigError, loadConfig } from '../../src/config.js'

const TIMEOUTS = { HEADERS_TIMEOUT_MS: 1000, REQUEST_TIMEOUT_MS: 1500, KEEP_ALIVE_TIMEOUT_MS: 1000 }

/**
 * A raw client: writes what it is given (optionally a byte at a time, forever) and collects what comes back until the
 * server closes.
 */
async function rawClient (port: number, head: string, drip?: string) {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', (d) => {
    received += d
  })
  socket.write(head)
  const dripping =
    drip === undefined
      ? undefined
      : setInterval(() => {
        if (!socket.destroyed) socket.write(drip)
      }, 100)
  // a fail-safe only: the server is expected to close long before
  const failSafe = setTimeout(() => socket.destroy(new Error('the server kept the socket open')), 20_000)
  const [hadError] = await once(socket, 'close')
  clearTimeout(failSafe)
  clearInterval(dripping)
  return { received, hadError: hadError as boolean }
}

t.test('item 5: a request that never completes is cut: 408 and the socket closed', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: TIMEOUTS })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const post = 'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n'
  const cases = {
    'a body that stops half way': [post + '{"username":"'],
    'a body sent a byte every 100 ms (slow read)': [post, ' '],
    'headers that never end': ['GET /health/live HTTP/1.1\r\nHost: x\r\n'],
    'headers sent a byte every 100 ms': ['GET /health/live HTTP/1.1\r\n', 'X']
  } as const
  for (const [name, [head, drip]] of Object.entries(cases)) {
    const { received, hadError } = await rawClient(port, head, drip)
    t.match(received, /^HTTP\/1\.1 408 /, `${name}: 408`)
    t.match(received, /content-type: application\/problem\+json/i, `${name}: problem+json`)
    t.match(received, /"code":"request_timeout"/)
    t.notOk(hadError, `${name}: closed by the server`)
  }
})

t.test('errors before a request exists are problem+json too: headers too large, not HTTP', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: TIMEOUTS })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const big = await rawClient(port, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`)
  t.match(big.received, /^HTTP\/1\.1 431 [^]*application\/problem\+json[^]*"code":"headers_too_large"/)
  const junk = await rawClient(port, 'NOT HTTP AT ALL\r\n\r\n')
  t.match(junk.received, /^HTTP\/1\.1 400 [^]*application\/problem\+json[^]*"code":"bad_request"/)
  for (const { received } of [big, junk]) {
    t.match(received, /\r\nX-Content-Type-Options: nosniff\r\n/, 'not sniffed')
    t.match(received, /\r\nContent-Security-Policy: default-src 'none';frame-ancestors 'none'\r\n/, 'nothing loaded')
  }
})

t.test('item 5: an idle kept-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: TIMEOUTS })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const { received, hadError } = await rawClient(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
  t.match(received, /^HTTP\/1\.1 200 /, 'answered')
  t.match(received, /keep-alive/i, 'kept alive')
  t.notOk(hadError, 'then closed by the server while idle')
})

t.test('item 5: the timeouts are configuration, with sane defaults, and checked', async (t) => {
  const defaults = loadConfig({})
  t.same(
    [defaults.HEADERS_TIMEOUT_MS, defaults.REQUEST_TIMEOUT_MS, defaults.KEEP_ALIVE_TIMEOUT_MS],
    [10000, 30000, 72000]
  )
  t.equal(loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '2000' }).REQUEST_TIMEOUT_MS, 5000)
  t.throws(() => loadConfig({ REQUEST_TIMEOUT_MS: '0' }), ConfigError, 'no "never"')
  t.throws(
    () => loadConfig({ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }),
    /HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS/
  )
})
