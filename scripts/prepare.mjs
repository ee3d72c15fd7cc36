// npm's `prepare` (run by `npm install` in a clone): compiles the TypeScript into dist/ so that
// `npm start` starts at once. A production install (`npm install --omit=dev`) has no compiler: it
// keeps a dist/ already built (npm ci && npm run build && npm prune --omit=dev) and otherwise says
// what to run instead of failing the install.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
let tsc
try { tsc = require.resolve('typescript/bin/tsc') } catch { tsc = undefined }

if (tsc) {
  const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
  process.exit(status ?? 1)
}
if (!existsSync('dist/src/server.js')) {
  console.error('secure-api: no TypeScript compiler (installed with --omit=dev?) and no dist/ yet: ' +
    'build first (npm ci && npm run build), then npm prune --omit=dev')
}
