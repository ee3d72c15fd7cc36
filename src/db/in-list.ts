/**
 * The placeholders and values of an `IN (...)` list, padded with the first value to a power of two: a driver
 * prepares (and keeps, per connection) one statement per distinct text, so padded lists of 1 to 64 values make 7
 * statements, not 64 (64: the most createBatchedLookup sends at once). A repeated value changes no answer of an IN
 * list. `values` must not be empty.
 */
export function inList<T> (values: readonly T[]): { marks: string, params: T[] } {
  // `IN ()` is a syntax error on MySQL and matches nothing on SQLite: the callers answer an empty list themselves
  if (values.length === 0) throw new RangeError('an IN list needs at least one value')
  const params = [...values]
  while (params.length & (params.length - 1)) params.push(values[0]!)
  return { marks: params.map(() => '?').join(', '), params }
}
