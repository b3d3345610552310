#!/usr/bin/env bash
# Installs hcx's dependencies exactly as locked, with npm running on Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(bash scripts/node24.sh):$PATH"
export PATH
npm ci --no-fund --no-audit
