/** One connection attempt's own limit, in ms. */
export const CONNECT_ATTEMPT_MS = 5000

/** How long an instance waits for another one's migrations (the store-wide lock), in seconds. */
export const MIGRATION_LOCK_SECONDS = 60

/**
 * The longest the store may take to get ready at startup: the retries `DB_CONNECT_TIMEOUT_MS`
 * promises, a last connection attempt, the wait for another instance's migrations, and time to
 * run them. Fastify's plugin timeout (10 s by default) must cover it, or it cuts the retries short.
 */
export const storeStartupBudgetMs = (connectTimeoutMs: number) =>
  connectTimeoutMs + CONNECT_ATTEMPT_MS + MIGRATION_LOCK_SECONDS * 1000 + 30_000
