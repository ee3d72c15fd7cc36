/**
 * RFC 9110 §8.8.3 and §13.1: If-Match and If-None-Match hold `*` or a list of entity tags
 * (`"x"`, `W/"x"`; a tag may hold a comma). Tags compare as exact strings: strongly for
 * If-Match (a weak tag never matches), weakly for If-None-Match (W/ ignored on both sides).
 */
const TAG = /^\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/

interface EntityTag { weak: boolean, opaque: string }

/** The tags of a header, or null when it is not a valid list (then nothing matches). */
function parseTags (header: string): EntityTag[] | null {
  const tags: EntityTag[] = []
  let rest = header
  while (rest.trim() !== '') {
    const m = TAG.exec(rest)
    if (!m) return null
    tags.push({ weak: m[1] !== undefined, opaque: m[2]! })
    rest = rest.slice(m[0].length)
  }
  return tags
}

/** If-Match: true when the header is `*` or lists `current` as a strong tag. */
export function ifMatchPasses (header: string, current: string): boolean {
  if (header.trim() === '*') return true
  return parseTags(header)?.some((t) => !t.weak && t.opaque === current) ?? false
}

/** If-None-Match: true when the header is `*` or lists `current`, weak or strong (so the answer is 304). */
export function ifNoneMatchHits (header: string, current: string): boolean {
  if (header.trim() === '*') return true
  return parseTags(header)?.some((t) => t.opaque === current) ?? false
}
