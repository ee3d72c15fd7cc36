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

/**
 * The prepared statements each pooled connection keeps (mysql2's `maxPreparedStatements`). mysql2's default, 16,000,
 * allocates four arrays of that length per connection up front (about 0.5 MB of heap per connection, 10 MB for a pool
 * of 20) and lets two connections pass MariaDB's server-wide `max_prepared_stmt_count` (16,382). The app can send
 * about 550 distinct statements (384 of them the product list's filter, sort and cursor combinations), a connection
 * far fewer in practice; one pushed out of a connection's cache is closed on the server and prepared again at its next
 * use (one more round trip). At 256, ten connections each of six instances stay within the server's limit.
 */
export const MAX_PREPARED_STATEMENTS = 256
