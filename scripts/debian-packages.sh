#!/usr/bin/env bash
# Installs the Debian packages hcx's WebGPU backend needs on a machine without a GPU: Mesa 25's
# lavapipe (a Vulkan driver on the CPU) from bookworm-backports. Debian 12's own Mesa 22 gives
# Dawn no adapter. Skipped when a new enough Mesa is already there; needs root (or sudo).
set -euo pipefail
if ! command -v apt-get >/dev/null; then
  echo "not a Debian system: install Mesa 25's Vulkan drivers (lavapipe) yourself for WebGPU without a GPU" >&2
  exit 0
fi
wanted_major=25
installed="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
if [ -n "$installed" ] && [ "${installed%%.*}" -ge "$wanted_major" ] 2>/dev/null; then
  echo "mesa-vulkan-drivers $installed is installed"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "error DEBIAN_PACKAGES: installing mesa-vulkan-drivers needs root; run this script as root" >&2
    exit 1
  fi
  sudo="sudo"
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = "bookworm" ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $sudo tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
$sudo apt-get update -q
if [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -t bookworm-backports mesa-vulkan-drivers
else
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q mesa-vulkan-drivers
fi
