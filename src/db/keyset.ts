/**
 * A keyset page from `limit + 1` rows fetched: the extra row only tells whether a next page
 * exists, and the cursor is made from the last row shown.
 */
export function keysetPage<R> (rows: R[], limit: number, cursorOf: (last: R) => string) {
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { rows: page, next_cursor: rows.length > limit && last !== undefined ? cursorOf(last) : null }
}
