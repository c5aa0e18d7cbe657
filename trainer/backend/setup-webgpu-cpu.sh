#!/usr/bin/env bash
# The CPU stand-in for a GPU (npm run setup:webgpu-cpu): Mesa's lavapipe Vulkan driver, version 25 or
# later, with the Vulkan loader, installed system-wide with apt. Dawn (the webgpu package) refuses
# Debian 12's own Mesa 22.3 (shaderUniform*ArrayDynamicIndexing required), so on bookworm the driver
# comes from bookworm-backports; the backports source is added for this install only (its packages
# keep apt's low backports priority, so nothing else upgrades from it). Idempotent: a second run checks
# and changes nothing. Ends by asking `dml-edge backends` for the adapter.
set -euo pipefail
cd "$(dirname "$0")/../.."

MIN_MESA=25
SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources

say() { printf 'setup:webgpu-cpu: %s\n' "$*"; }
fail() { say "$*" >&2; exit 1; }

if ! command -v apt-get >/dev/null; then
  fail "needs apt (Debian or Ubuntu). Elsewhere install Mesa >= $MIN_MESA's lavapipe Vulkan driver and the Vulkan loader with your package manager."
fi
run_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else fail "run as root (or install sudo): installing system packages"; fi
}
installed_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p'; }
at_least() { [ -n "$1" ] && dpkg --compare-versions "$1" ge "$MIN_MESA"; }

mesa=$(installed_version mesa-vulkan-drivers)
if at_least "$mesa" && [ -n "$(installed_version libvulkan1)" ]; then
  say "lavapipe $mesa and the Vulkan loader are installed already"
else
  . /etc/os-release
  export DEBIAN_FRONTEND=noninteractive
  target=()
  if [ "${VERSION_CODENAME:-}" = bookworm ]; then
    if [ ! -f "$SOURCES" ]; then
      say "adding Debian bookworm-backports ($SOURCES)"
      printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
        run_root tee "$SOURCES" >/dev/null
    fi
    target=(-t bookworm-backports)
  fi
  say "apt-get update"
  run_root apt-get update -qq
  if [ "${#target[@]}" -eq 0 ]; then
    candidate=$(apt-cache policy mesa-vulkan-drivers | sed -n 's/^ *Candidate: //p')
    at_least "$candidate" ||
      fail "this release offers mesa-vulkan-drivers ${candidate:-none}; Dawn needs Mesa >= $MIN_MESA (Debian 12 gets it from bookworm-backports, Ubuntu from 25.04)"
  fi
  say "installing mesa-vulkan-drivers (lavapipe) and libvulkan1 ${target[*]}"
  run_root apt-get install -y -qq --no-install-recommends "${target[@]}" mesa-vulkan-drivers libvulkan1 >/dev/null
  mesa=$(installed_version mesa-vulkan-drivers)
  at_least "$mesa" || fail "installed mesa-vulkan-drivers $mesa, older than $MIN_MESA"
  say "installed lavapipe $mesa"
fi

[ -d node_modules/webgpu ] || fail "the driver is installed; run npm ci (or npm install), then this again to check the adapter"
say "checking the adapter Dawn sees (dml-edge backends)"
node bin/dml-edge.js backends --json 2>/dev/null | node -e '
  const webgpu = JSON.parse(require("fs").readFileSync(0, "utf8")).find((b) => b.backend === "webgpu");
  if (!webgpu?.available) { console.error(`setup:webgpu-cpu: no WebGPU adapter: ${webgpu?.note}`); process.exit(1); }
  console.log(`setup:webgpu-cpu: webgpu adapter: ${webgpu.adapter.vendor} ${webgpu.adapter.architecture}: ${webgpu.adapter.description}`);
'
