import argon2 from 'argon2'
import { randomBytes } from 'node:crypto'
import common from '@zxcvbn-ts/language-common'
import { tracingChannel } from 'node:diagnostics_channel'
import type { HashGate } from './hash-gate.js'

export interface Argon2Params {
  memoryCost: number
  timeCost: number
  parallelism: number
}

/** NIST 800-63B asks for normalization; NFKC makes look-alike input hash alike. */
const normalize = (password: string) => password.normalize('NFKC')

// Stryker disable next-line all: the tracing channel (module-level), tested in test/tracing/traces.test.ts
/** Each hash or verification, traced when tracing is on (src/tracing/); the message names the operation only. */
export const passwordHashing = tracingChannel<unknown, { operation: 'hash' | 'verify' }>('secure-api:password-hash')

/**
 * argon2id hashing (runs in libuv's thread pool, off the event loop) and a dummy hash
 * verified for unknown users, so their login costs what a wrong password costs. Every
 * hash and verification passes the gate (admission control), when one is given.
 */
export async function createPasswordHasher (params: Argon2Params, gate?: HashGate) {
  const options = { type: argon2.argon2id as 2, ...params }
  const dummy = await argon2.hash(randomBytes(32).toString('hex'), options)
  // Stryker disable all: admission control and tracing (src/auth/hash-gate.ts), an availability concern
  const admitted = <T>(operation: 'hash' | 'verify', work: () => Promise<T>) => {
    const traced = () => passwordHashing.tracePromise(work, { operation })
    return gate ? gate.run(traced) : traced()
  }
  // Stryker restore all
  return {
    hash: (password: string) => admitted('hash', () => argon2.hash(normalize(password), options)),
    verify: async (hash: string | undefined, password: string) => {
      const ok = await admitted('verify', () => argon2.verify(hash ?? dummy, normalize(password)))
      return ok && hash !== undefined
    },
    // Stryker disable next-line all: admission control (src/auth/hash-gate.ts), an availability concern
    /** Runs a login or registration under admission control (503 `overloaded` when too many are in progress). */
    admit: <T>(operation: () => Promise<T>): Promise<T> => (gate ? gate.admit(operation) : operation())
  }
}

export type PasswordHasher = Awaited<ReturnType<typeof createPasswordHasher>>

// Stryker disable all: out of the mutation scope: the configured cost and the password blocklist of registration
// (tested over HTTP in test/auth/register.test.ts; the blocklist's regular expressions alone add some hundred mutants)
/** The hasher with the configured argon2id cost, behind the admission gate when one is given. */
type Argon2Config = { ARGON2_MEMORY_KIB: number; ARGON2_TIME_COST: number; ARGON2_PARALLELISM: number }
export const passwordHasherFor = (c: Argon2Config, gate?: HashGate) =>
  createPasswordHasher(
    { memoryCost: c.ARGON2_MEMORY_KIB, timeCost: c.ARGON2_TIME_COST, parallelism: c.ARGON2_PARALLELISM },
    gate
  )

const COMMON = new Set(common.dictionary['passwords-common'].map((p: string) => p.toLowerCase()))

const LEET: Record<string, string> = {
  '@': 'a',
  4: 'a',
  0: 'o',
  1: 'i',
  '!': 'i',
  3: 'e',
  $: 's',
  5: 's',
  7: 't',
  '+': 't'
}
const unleet = (p: string) => p.replace(/[@4013!$57+]/g, (c) => LEET[c]!)

/** The password, and what it is once the digits and symbols padded around a word and l33t spellings are taken off. */
function variants (p: string): string[] {
  const core = p.replace(/^[\d\W_]+|[\d\W_]+$/g, '')
  const unleeted = unleet(p).replace(/^[\d\W_]+|[\d\W_]+$/g, '')
  return [p, core, unleet(core), unleeted]
}

/** Why a password is refused (beyond length, which the schema checks), or null. */
export function passwordWeakness (password: string, username: string): string | null {
  const p = normalize(password).toLowerCase()
  if (variants(p).some((v) => COMMON.has(v))) {
    return 'is, or is built on, one of the most common passwords; choose a longer phrase of your own'
  }
  if (p.includes(username.toLowerCase())) return 'must not contain the username'
  if (new Set(p).size < 3) return 'repeats too few distinct characters'
  return null
}
