import QRCode from 'qrcode'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { ApiError } from './errors.js'

const USAGE = 'usage: npm run cli -- create-admin <username>   (password from ADMIN_PASSWORD, or the first line of stdin)'

async function readPassword (): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  return input.split(/\r?\n/)[0] ?? ''
}

/**
 * Operator commands. create-admin makes the first administrator without a race on the
 * public registration route: the account gets the admin role and a pending TOTP
 * enrollment, shown here as an otpauth URI and a terminal QR code to scan.
 */
async function main (argv: string[]) {
  const [command, username] = argv
  if (command !== 'create-admin' || !username) throw new ConfigError(USAGE)
  const password = await readPassword()
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'warn', ...process.env }))
  try {
    await app.ready()
    const { user, enrollment } = await app.authService.createAccount(username, password, 'admin', { ip: 'cli', userAgent: 'secure-api cli', requestId: 'cli' })
    const qr = await QRCode.toString(enrollment.otpauth_uri, { type: 'terminal', small: true })
    process.stdout.write([
      `created administrator ${user.username} (id ${user.id})`,
      'scan this with the authenticator app, then log in with a code to confirm it:',
      qr,
      `otpauth URI: ${enrollment.otpauth_uri}`,
      `secret:      ${enrollment.secret}`,
      ''
    ].join('\n'))
  } finally {
    await app.close()
  }
}

try {
  await main(process.argv.slice(2))
} catch (err) {
  const detail = err instanceof ApiError ? `${err.title}: ${err.detail ?? err.code}` : (err as Error).message
  process.stderr.write(`${detail}\n`)
  process.exit(err instanceof ConfigError ? 2 : 1)
}
