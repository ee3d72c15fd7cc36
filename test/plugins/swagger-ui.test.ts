import t from 'tap'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import { projectRoot } from '../../src/paths.js'
import { authApp, enrolledUser, login, post } from '../auth/flow.js'
import { tempDir } from '../helper.js'

const CHROMIUM = '/usr/bin/chromium'

t.test(
  'Swagger UI at /docs works in a real browser: every tag, Authorize, Try it out on GET /api/products',
  async (t) => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (npm test's scripts/test-prereqs.sh does it)`
      )
    }
    const { app, clock } = await authApp(t)
    const token = await login(app, clock, await enrolledUser(app, clock))
    t.equal(
      (await post(app, '/api/products', { name: 'Seen Through Swagger', price: '12.34', quantity: 3 }, token))
        .statusCode,
      201
    )
    await app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
    })
    t.teardown(() => browser.close())
    const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    await page.goto(`${base}/docs/`)
    await page.waitForSelector('.opblock-tag', { timeout: 20_000 })

    const tags = await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')))
    t.same([...tags].sort(), ['account', 'api-keys', 'auth', 'health', 'passkeys', 'products', 'sessions', 'users'])

    await page.click('.btn.authorize')
    const bearer = page.locator('.auth-container', { hasText: 'bearerAuth' })
    await bearer.locator('input').fill(token)
    await bearer.locator('button.authorize').click()
    await page.click('.btn-done, .close-modal')

    const op = page.locator('#operations-products-listProducts')
    await op.locator('.opblock-summary').click()
    await op.locator('.try-out__btn').click()
    await op.locator('.execute').click()
    const status = op.locator('.live-responses-table tr.response .response-col_status').first()
    await status.waitFor({ timeout: 20_000 })
    t.equal((await status.innerText()).trim(), '200')
    t.match(await op.locator('.live-responses-table .microlight').first().innerText(), /Seen Through Swagger/)
    t.same(
      errors.filter((e) => !/favicon/.test(e)),
      [],
      'no script or CSP errors in the page'
    )

    // the picture in docs/clients.md is refreshed on request only, so a test run leaves the tree clean
    await page.evaluate(() => window.scrollTo(0, 0))
    const shot = process.env.UPDATE_DOCS_SCREENSHOT
      ? join(projectRoot, 'docs', 'swagger-ui.png')
      : join(tempDir(t), 'swagger-ui.png')
    await page.screenshot({ path: shot, fullPage: false })
    t.ok(statSync(shot).size > 20_000, 'a screenshot of the documented API')
  }
)
