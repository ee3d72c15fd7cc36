#!/usr/bin/env bash
# scripts/node-binary.sh VERSION: prints the directory of a Node VERSION binary (22, 24, 22.12, ...),
# taken from the npm registry's `node` package the first time and kept in a cache
# (NODE_VERSIONS_CACHE, default $TMPDIR/secure-api-node-versions). Used by `npm run test:node-versions`
# and by `npm run bench` (which runs the service on the engines' Node when the machine's is older).
set -euo pipefail
version="$1"
cache="${NODE_VERSIONS_CACHE:-${TMPDIR:-/tmp}/secure-api-node-versions}"
prefix="$cache/node-$version"
if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
  echo "node-binary: installing node@$version from the npm registry into $prefix" >&2
  rm -rf "$prefix" && mkdir -p "$prefix"
  # the `node` package fetches its binary in an install script: allow that one
  echo '{ "private": true, "allowScripts": { "node": true } }' > "$prefix/package.json"
  (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error "node@$version" >&2)
fi
echo "$prefix/node_modules/node/bin"
