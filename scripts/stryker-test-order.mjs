// The order in which a mutant runs the test files that reach it (see stryker-tap-runner.mjs).
import path from 'node:path'

const stem = (file, suffix) => path.basename(file).slice(0, -suffix.length)

/** `tests` ordered for a mutant in `sourceFile`: its own test files, then the order of `configured`. */
export function orderTests (tests, sourceFile, configured) {
  const own = stem(sourceFile, path.extname(sourceFile))
  const rank = (test) => {
    const name = stem(test, '.test.js')
    if (name === own) return -2
    if (name.startsWith(`${own}-`)) return -1
    const at = configured.findIndex((entry) => path.normalize(entry) === path.normalize(test))
    return at === -1 ? configured.length : at
  }
  return [...tests].sort((a, b) => rank(a) - rank(b))
}
