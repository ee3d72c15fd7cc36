import QRCode from 'qrcode'
import { generateKeyPairSync } from 'node:crypto'
import { pino, type LoggerOptions } from 'pino'
import { ConfigError, loadConfig, type Config } from './config.js'
import { ApiError } from './errors.js'
import { loggerOptions, redactObjectsOnly } from './logger.js'
import { openStore } from './db/open-store.js'
import { loadKeys, type Keys } from './tokens/keys.js'
import { passwordHasherFor } from './auth/passwords.js'
import { createServices, type Services } from './services.js'
import { isWellFormedApiKey } from './api-keys/key-format.js'

const CLI_META = { ip: 'cli', userAgent: 'secure-api cli', requestId: 'cli' }

/** What a command works with: the same services the app serves requests with. */
interface Context {
  config: Config
  keys: Keys
  services: Services
}

interface Command {
  args: string
  help: string
  run: (context: Context, args: string[]) => Promise<string>
  /** Runs without a database or configuration, from its arguments alone; exit code 1 when not `ok`. */
  offline?: (args: string[]) => { text: string; ok: boolean }
}

async function readPassword (): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  return input.split(/\r?\n/)[0] ?? ''
}

async function userNamed ({ services }: Context, username: string) {
  const user = await services.admin.findByUsername(username)
  if (!user) throw new Error(`no user named ${username}`)
  return user
}

const pem = (
  k: { export: (o: { type: 'pkcs8' | 'spki'; format: 'pem' }) => string | Buffer },
  type: 'pkcs8' | 'spki'
) => k.export({ type, format: 'pem' }).toString()

/** Operator commands; each opens the store named by DATABASE_URL (migrations run first). */
const COMMANDS: Record<string, Command> = {
  migrate: {
    args: '',
    help: 'apply pending migrations to DATABASE_URL',
    run: async () => 'migrations applied'
  },
  'create-admin': {
    args: '<username>',
    help: 'create an administrator with a pending TOTP enrollment (password from ADMIN_PASSWORD or the first line of ' +
      'stdin); prints the QR code to scan',
    run: async ({ services }, [username]) => {
      const { user, enrollment } = await services.auth.createAccount(username!, await readPassword(), 'admin', CLI_META)
      const qr = await QRCode.toString(enrollment.otpauth_uri, { type: 'terminal', small: true })
      return [
        `created administrator ${user.username} (id ${user.id})`,
        'scan this with the authenticator app, then log in with a code to confirm it:',
        qr,
        `otpauth URI: ${enrollment.otpauth_uri}`,
        `secret:      ${enrollment.secret}`
      ].join('\n')
    }
  },
  'unlock-user': {
    args: '<username>',
    help: "clear an account's failed login attempts and lock",
    run: async (context, [username]) => {
      const user = await userNamed(context, username!)
      await context.services.admin.unlock(null, user.id, CLI_META)
      return `unlocked ${user.username}`
    }
  },
  'revoke-sessions': {
    args: '<username>',
    help: "end all of an account's sessions (its access tokens stop working within SESSION_CHECK_CACHE_MS)",
    run: async (context, [username]) => {
      const user = await userNamed(context, username!)
      await context.services.admin.revokeSessions(null, user.id, CLI_META)
      return `ended every session of ${user.username}`
    }
  },
  'revoke-keys': {
    args: '<username>',
    help: 'revoke every API key of an account (they stop working within SESSION_CHECK_CACHE_MS)',
    run: async (context, [username]) => {
      const user = await userNamed(context, username!)
      const n = await context.services.apiKeys.revokeAll(null, user.id, CLI_META)
      return `revoked ${n} API key${n === 1 ? '' : 's'} of ${user.username}`
    }
  },
  'check-key': {
    args: '<key>',
    help: 'say offline (prefix and checksum, no database) whether a string is an API key of this service (exit 1 if ' +
      'not)',
    run: async () => {
      throw new Error('check-key runs offline')
    },
    offline: ([key]) =>
      isWellFormedApiKey(key!.trim())
        ? { text: 'well-formed', ok: true }
        : { text: 'not a key of this service', ok: false }
  },
  'rotate-keys': {
    args: '',
    help: 'print a new access-token signing key and how to roll it out without logging anyone out',
    run: async ({ config, keys }) => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      return [
        'A new RS256 signing key. To rotate without logging anyone out, on every instance:',
        '1. set JWT_PRIVATE_KEY to the new private key below (the newest key signs);',
        '2. set JWT_PREVIOUS_PUBLIC_KEYS to the current public key below (tokens it signed keep verifying);',
        `3. after ACCESS_TOKEN_TTL (${config.ACCESS_TOKEN_TTL} s) everywhere, remove JWT_PREVIOUS_PUBLIC_KEYS.`,
        '',
        '# new JWT_PRIVATE_KEY',
        pem(privateKey, 'pkcs8').trim(),
        '',
        '# current public key, for JWT_PREVIOUS_PUBLIC_KEYS',
        pem(keys.signing.publicKey, 'spki').trim()
      ].join('\n')
    }
  }
}

const usage = () =>
  [
    'usage: npm run cli -- <command> [args]   (--help after a command for its help)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${`${name} ${c.args}`.padEnd(28)}${c.help}`)
  ].join('\n')

async function main (argv: string[]): Promise<string> {
  const [name, ...args] = argv
  if (name === undefined || name === 'help' || name === '--help') {
    if (name === undefined) throw new ConfigError(usage())
    return usage()
  }
  const command = COMMANDS[name]
  if (!command) throw new ConfigError(`unknown command "${name}"\n\n${usage()}`)
  if (args.includes('--help')) return `usage: npm run cli -- ${name} ${command.args}\n\n${command.help}`
  const wanted = command.args ? command.args.split(' ').length : 0
  if (args.length !== wanted) throw new ConfigError(`usage: npm run cli -- ${name} ${command.args}`)
  if (command.offline) {
    const { text, ok } = command.offline(args)
    if (!ok) process.exitCode = 1
    return text
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env })
  const log = pino(loggerOptions(config.LOG_LEVEL) as LoggerOptions)
  redactObjectsOnly(log)
  const db = await openStore(config, log)
  try {
    const keys = await loadKeys(config, db, Date.now(), log)
    const services = createServices({
      db,
      now: Date.now,
      config,
      keys,
      hasher: await passwordHasherFor(config),
      reportError: (err, message) => log.error({ err }, message)
    })
    return await command.run({ config, keys, services }, args)
  } finally {
    await db.close()
  }
}

try {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`)
} catch (err) {
  const detail = err instanceof ApiError ? `${err.title}: ${err.detail ?? err.code}` : (err as Error).message
  process.stderr.write(`${detail}\n`)
  process.exit(err instanceof ConfigError ? 2 : 1)
}
