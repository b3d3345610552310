#!/usr/bin/env bash
# Prints a directory holding Node >= 24, installing Node 24 from the npm registry into
# ~/.node24 when the system's Node is older. npm must run on Node 24: on Node 20 it silently
# skips optional native packages that require a newer engine.
set -euo pipefail
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null && [ "$(major node)" -ge 24 ]; then
  dirname "$(command -v node)"
  exit 0
fi
prefix="${HCX_NODE24_PREFIX:-$HOME/.node24}"
if [ ! -x "$prefix/bin/node" ] || [ "$(major "$prefix/bin/node")" -lt 24 ]; then
  npm install --global --prefix "$prefix" --no-fund --no-audit node@24 >&2
fi
echo "$prefix/bin"
