/** True when a statement failed on a UNIQUE or PRIMARY KEY constraint, on either dialect. */
export function isUniqueViolation (err: unknown): boolean {
  const code = (err as { code?: string }).code
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
