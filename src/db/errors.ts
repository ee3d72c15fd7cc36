/**
 * The storage failures the app knows, whatever the store: each driver turns its own error
 * codes into these (mysql-driver.ts, sqlite-driver.ts), and nothing above src/db/ reads a
 * driver's code. `code` keeps the driver's code for the log only.
 */
export type StorageErrorKind = 'unavailable' | 'busy' | 'unique_violation' | 'deadlock'

export class StorageError extends Error {
  override name = 'StorageError'
  constructor (readonly kind: StorageErrorKind, readonly code?: string, options?: { cause?: unknown }) {
    // no driver message: it may quote a value (MySQL's "Duplicate entry 'alice' ...")
    super(`storage error: ${kind}${code ? ` (${code})` : ''}`, options)
  }
}

export const isStorageError = (err: unknown, ...kinds: StorageErrorKind[]): err is StorageError =>
  err instanceof StorageError && (kinds.length === 0 || kinds.includes(err.kind))

/** A statement failed on a UNIQUE or PRIMARY KEY constraint. */
export const isUniqueViolation = (err: unknown) => isStorageError(err, 'unique_violation')

/** The store cannot answer now (unreachable, out of connections, locked by another writer): try again later. */
export const isStoreUnavailable = (err: unknown) => isStorageError(err, 'unavailable', 'busy')

/** The driver's code of an error, when it has one. */
export const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** `fn`, with what it throws translated by `translate`. */
export async function translated<T> (translate: (err: unknown) => unknown, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw translate(err)
  }
}
