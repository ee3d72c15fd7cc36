import t from 'tap'
import { connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { request } from 'node:http'
import { buildTestApp } from './helper.js'
import { acceptInto, listen, reusePortAvailable } from '../src/listen.js'

// The apps below use MySQL (buildTestApp's default): this file runs on Node 22 and 24 too (npm run
// test:node-versions), and on Node 24 better-sqlite3 12 can abort the process when the garbage collector finalizes
// a statement of a store already closed.

/** One request on a connection of its own; its status and request id. */
function getOnce (port: number, path: string) {
  return new Promise<{ status: number; id: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']) }))
    }).on('error', reject).end()
  })
}

t.test('several listening sockets need SO_REUSEPORT: Linux and Node 22.12, 23.1 or later', async (t) => {
  const cases: Array<[string, NodeJS.Platform, boolean]> = [
    ['20.20.2', 'linux', false],
    ['22.11.9', 'linux', false],
    ['22.12.0', 'linux', true],
    ['22.23.3', 'linux', true],
    ['23.0.5', 'linux', false],
    ['23.1.0', 'linux', true],
    ['24.0.0', 'linux', true],
    ['30.0.0', 'linux', true],
    ['24.0.0', 'darwin', false],
    ['24.0.0', 'win32', false]
  ]
  for (const [version, platform, expected] of cases) {
    t.equal(reusePortAvailable(version, platform), expected, `${version} on ${platform}`)
  }
  t.equal(reusePortAvailable(), reusePortAvailable(process.versions.node, process.platform), 'this process by default')
})

t.test('a connection accepted by another socket is the app\'s own: answers, request ids, timeouts', async (t) => {
  const app = await buildTestApp(t, {
    config: { HEADERS_TIMEOUT_MS: 1000, REQUEST_TIMEOUT_MS: 1500 },
    before: (app) => {
      // a request still at work when the app closes: it answers only if the store is still open
      app.get('/slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        await app.db.ping()
        return { ok: true }
      })
    }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const extra = acceptInto(app.server)
  extra.listen(0, '127.0.0.1')
  await once(extra, 'listening')
  t.teardown(() => extra.close())
  const { port } = extra.address() as AddressInfo

  const answers = await Promise.all(Array.from({ length: 20 }, () => getOnce(port, '/health/live')))
  t.ok(answers.every((a) => a.status === 200), '20 connections, 20 answers')
  t.equal(new Set(answers.map((a) => a.id)).size, 20, 'each with its own request id')
  t.equal((await getOnce(port, '/nope')).status, 404, 'the app\'s routing and not-found')

  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (d) => { received += d })
  socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n') // headers that never end
  await once(socket, 'close')
  t.match(received, /^HTTP\/1\.1 408 /, 'the app\'s header timeout cuts it: 408')
  t.match(received, /"code":"request_timeout"/, 'problem+json from the app\'s client-error handler')

  const inFlight = getOnce(port, '/slow')
  await new Promise((resolve) => setTimeout(resolve, 100))
  extra.close()
  await app.close()
  t.equal((await inFlight).status, 200, 'app.close() waited for the request in flight on it, the store still open')
})

t.test('listen: LISTEN_SOCKETS sockets where the platform allows, one elsewhere; all stop on close', async (t) => {
  const app = await buildTestApp(t)
  const listening = await listen(app, { host: '127.0.0.1', port: 0, sockets: 4 })
  const { port } = app.server.address() as AddressInfo
  t.equal(listening.url, `http://127.0.0.1:${port}`)
  t.equal(listening.sockets, reusePortAvailable() ? 4 : 1, `Node ${process.versions.node} on ${process.platform}`)
  const answers = await Promise.all(Array.from({ length: 40 }, () => getOnce(port, '/health/live')))
  t.ok(answers.every((a) => a.status === 200), '40 new connections, 40 answers')
  // idle keep-alive connections, whichever socket accepted them: the close must not wait for their clients
  const idle = await Promise.all(Array.from({ length: 16 }, async () => {
    const socket = connect(port, '127.0.0.1')
    await once(socket, 'connect')
    socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
    await once(socket, 'data')
    return socket
  }))
  const closed = Promise.all(idle.map((s) => once(s, 'close')))
  listening.stopExtra()
  await app.close()
  await closed
  t.pass('closed with 16 keep-alive connections open: the app ended them')
  const refused = await new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1')
    probe.on('error', (err: NodeJS.ErrnoException) => resolve(err.code))
    probe.on('connect', () => {
      probe.destroy()
      resolve('connected')
    })
  })
  t.equal(refused, 'ECONNREFUSED', 'no socket listens once closed')

  const single = await buildTestApp(t)
  t.equal((await listen(single, { host: '127.0.0.1', port: 0, sockets: 1 })).sockets, 1, 'LISTEN_SOCKETS=1: one')
})
