import t from 'tap'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Page } from 'playwright-core'
import { authApp, code, enrolledUser, nextStep } from '../auth/flow.js'
import { stores } from '../helper.js'
import { claims } from './flow.js'

const CHROMIUM = '/usr/bin/chromium'

/** A blank page on http://localhost:<port>: the origin passkeys are made on (served by the test, no script of ours). */
async function testPage (t: { teardown: (fn: () => unknown) => void }) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><title>passkey test page</title><p>passkeys</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://localhost:${(server.address() as AddressInfo).port}`
}

/** navigator.credentials in the page, fed and read through the WebAuthn JSON forms the API speaks. */
const create = (page: Page, options: unknown) =>
  page.evaluate(async (o) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(o as PublicKeyCredentialCreationOptionsJSON)
    return ((await navigator.credentials.create({ publicKey })) as PublicKeyCredential).toJSON()
  }, options)
const get = (page: Page, options: unknown) =>
  page.evaluate(async (o) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(o as PublicKeyCredentialRequestOptionsJSON)
    return ((await navigator.credentials.get({ publicKey })) as PublicKeyCredential).toJSON()
  }, options)

for (const store of stores) {
  t.test(
    `W1 (${store}): passkeys in Chromium with a virtual authenticator: ` +
      'register, usernameless login, second step, step-up',
    async (t) => {
      if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
      const origin = await testPage(t)
      const { app, clock } = await authApp(t, { store, config: { WEBAUTHN_ORIGINS: origin } })
      await app.listen({ host: '127.0.0.1', port: 0 })
      const api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      const call = async (path: string, body: object, token?: string) => {
        const res = await fetch(`${api}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
          body: JSON.stringify(body)
        })
        return { status: res.status, body: (await res.json()) as Record<string, any> }
      }

      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
      })
      t.teardown(() => browser.close())
      const page = await browser.newPage()
      await page.goto(origin)
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('WebAuthn.enable')
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true
        }
      })

      const u = await enrolledUser(app, clock)
      const login = await call('/auth/login', {
        username: u.username,
        password: u.password,
        code: code(u.secret, clock)
      })
      nextStep(clock)
      t.equal(login.status, 200)

      // registration
      const creation = await call('/auth/passkeys/registration/options', {}, login.body.access_token)
      t.equal(creation.status, 200)
      const registered = await call(
        '/auth/passkeys/registration/verify',
        { response: await create(page, creation.body), name: 'chromium' },
        login.body.access_token
      )
      t.equal(registered.status, 201, registered.body.detail ?? registered.body.code ?? 'ok')
      t.match(registered.body, { name: 'chromium', transports: ['internal'] })
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
      t.equal(credentials.length, 1)
      t.ok(credentials[0]!.isResidentCredential, 'a discoverable credential')
      t.equal(
        Buffer.from(credentials[0]!.userHandle!, 'base64').toString('base64url'),
        creation.body.user.id,
        "holding the account's user handle"
      )

      // usernameless login
      const request = await call('/auth/passkeys/authentication/options', {})
      t.same(request.body.allowCredentials, [])
      const passkeyLogin = await call('/auth/passkeys/authentication/verify', {
        response: await get(page, request.body)
      })
      t.equal(passkeyLogin.status, 200, passkeyLogin.body.detail ?? passkeyLogin.body.code ?? 'ok')
      t.match(claims(passkeyLogin.body.access_token), { sub: String(u.id), amr: ['hwk', 'user'], acr: 'aal2' })

      // the second step after a password
      const mfa = await call('/auth/login', { username: u.username, password: u.password })
      t.match(mfa.body, { mfa_required: true, factors: ['totp', 'webauthn', 'recovery_code'] })
      const second = await call('/auth/login/2fa', {
        mfa_token: mfa.body.mfa_token,
        webauthn: await get(page, mfa.body.webauthn_options)
      })
      t.equal(second.status, 200, second.body.detail ?? second.body.code ?? 'ok')
      t.match(claims(second.body.access_token), { amr: ['pwd', 'hwk', 'user'], acr: 'aal2' })

      // step-up: a too-old token is challenged, a passkey clears it
      clock.advance(301_000)
      const stale = await call(
        '/auth/2fa/recovery-codes',
        { password: u.password, code: code(u.secret, clock) },
        second.body.access_token
      )
      t.equal(stale.status, 401)
      t.equal(stale.body.code, 'insufficient_user_authentication')
      const stepUpOptions = await call('/auth/step-up/options', {}, second.body.access_token)
      const stepped = await call(
        '/auth/step-up',
        { webauthn: await get(page, stepUpOptions.body.webauthn_options) },
        second.body.access_token
      )
      t.equal(stepped.status, 200, stepped.body.detail ?? stepped.body.code ?? 'ok')
      t.match(claims(stepped.body.access_token), {
        amr: ['pwd', 'hwk', 'user'],
        acr: 'aal2',
        auth_time: Math.floor(clock.now() / 1000)
      })
      const fresh = await call(
        '/auth/2fa/recovery-codes',
        { password: u.password, code: code(u.secret, clock) },
        stepped.body.access_token
      )
      t.equal(fresh.status, 200, 'the sensitive operation now passes')

      // the browser itself will not use the passkey from another origin (127.0.0.1 is not localhost)
      const other = await browser.newPage()
      await other.goto(origin.replace('localhost', '127.0.0.1'))
      const elsewhere = await other.evaluate(
        async (o) => {
          try {
            await navigator.credentials.get({
              publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o as PublicKeyCredentialRequestOptionsJSON)
            })
            return 'signed'
          } catch (err) {
            return (err as Error).name
          }
        },
        (await call('/auth/passkeys/authentication/options', {})).body
      )
      t.equal(elsewhere, 'SecurityError', 'a page on another origin cannot assert for this RP id')
    }
  )
}
