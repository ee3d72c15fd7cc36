#!/usr/bin/env bash
# npm run test:node-versions: proves the Node versions package.json's engines claims. For each
# version (NODE_VERSIONS, default "22 24") it takes that Node from the npm registry's `node` package,
# installs a scratch copy of the project with it (`npm ci --engine-strict`: every dependency accepts
# that Node; native modules are built for its ABI, never touching ./node_modules), and runs the seed
# flow (the http/*.http scripts), the typed client's test and the listening sockets' test (several with
# SO_REUSEPORT from Node 22.12: src/listen.ts) there, against the same MariaDB.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

for version in ${NODE_VERSIONS:-22 24}; do
  bin=$(bash scripts/node-binary.sh "$version")
  prefix=$(dirname "$(dirname "$(dirname "$bin")")")
  # the binary's package also holds Node's headers: native modules build without downloading them
  headers=$(dirname "$(find "$prefix/node_modules/node/node_modules" -maxdepth 2 -name include -type d | head -1)")

  work=$(mktemp -d "${TMPDIR:-/tmp}/secure-api-node$version-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./data \
      --exclude=./coverage --exclude=./.tap -cf - . | tar -C "$work" -xf -

  echo "node-versions: Node $("$bin/node" --version): npm ci --engine-strict in $work"
  (
    cd "$work"
    export PATH="$bin:$PATH" npm_config_nodedir="$headers"
    npm ci --engine-strict --no-audit --no-fund --loglevel=error
    node -e "require('better-sqlite3'); require('argon2'); console.log('node-versions: native modules load on', process.version)"
    npx tap --disable-coverage test/http-scripts.test.ts test/clients/sdk.test.ts test/listen.test.ts
  )
  rm -rf "$work"
  trap - EXIT
done
