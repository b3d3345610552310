#!/usr/bin/env bash
# Installs hcx's dependencies exactly as locked, with npm running on Node 24, and the Debian
# packages the WebGPU backend needs where no GPU driver provides an adapter.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(bash scripts/node24.sh):$PATH"
export PATH
bash scripts/debian-packages.sh ||
  echo "warning: Mesa's lavapipe was not installed; the webgpu backend needs it where no GPU driver is" >&2
npm ci --no-fund --no-audit
