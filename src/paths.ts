import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root (the folder holding package.json), from source or from dist/. */
function findRoot (from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error('package.json not found above ' + from)
  }
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)))
