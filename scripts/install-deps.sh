#!/usr/bin/env bash
# Installs the Debian packages datatrail builds against, but only those that are missing:
# on a machine that has them all this returns at once, without touching apt.
# Runs unattended (CI, no stdin); as root directly, otherwise through sudo.
set -euo pipefail

packages=(
  libhdf5-dev
  libsqlite3-dev
  libfmt-dev
  libyaml-cpp-dev
  doctest-dev
  nlohmann-json3-dev
  libudunits2-dev
  libssl-dev
  libpq-dev
  postgresql
  pkg-config
  graphviz
  # Streaming compresses frames with Blosc itself (bitshuffle + LZ4 on worker threads); the
  # filter plugins let HDF5, and so datatrail's reader, decode LZ4 (32004) and Blosc (32001).
  libblosc-dev
  hdf5-filter-plugin
  hdf5-filter-plugin-blosc-serial
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: dpkg/apt not found; this script supports Debian and Ubuntu only." >&2
  echo "install-deps: install the equivalents of these packages by other means: ${packages[*]}" >&2
  exit 1
fi

is_installed() {
  # db:Status-Status is "installed" only for fully installed packages, not for
  # ones that were removed but left their configuration behind.
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} system packages are installed"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  # Without a terminal a password prompt could only hang: -n makes sudo fail instead.
  if [[ -t 0 ]]; then as_root=(sudo); else as_root=(sudo -n); fi
else
  echo "install-deps: not root and sudo is not available." >&2
  echo "install-deps: as root, run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

# The tests start their own throwaway PostgreSQL server (scripts/pg-test-server.sh). Debian's
# postinst would otherwise create a "main" cluster on port 5432 and start it wherever
# invoke-rc.d may start services (it may not in most containers): a server nobody asked for.
# createcluster.conf reads createcluster.d/, so a drop-in that lives only for this apt-get run
# turns that off without changing the machine's configuration for later installs.
cluster_dropin=/etc/postgresql-common/createcluster.d/50-datatrail-install-deps.conf
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # The folder goes too when that leaves it empty: postgresql-common does not ship it.
  remove_dropin() { "${as_root[@]}" rm -f "$cluster_dropin" && "${as_root[@]}" rmdir "${cluster_dropin%/*}" 2>/dev/null || true; }
  trap remove_dropin EXIT
  "${as_root[@]}" mkdir -p "${cluster_dropin%/*}"
  printf '%s\n' "# Written by datatrail's scripts/install-deps.sh while it installs postgresql." \
    "create_main_cluster = false" | "${as_root[@]}" tee "$cluster_dropin" >/dev/null
fi

# `env` sets the variable after privileges change, so sudo's env_reset cannot drop it.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}"

still_missing=()
for p in "${missing[@]}"; do
  is_installed "$p" || still_missing+=("$p")
done
if ((${#still_missing[@]} > 0)); then
  echo "install-deps: still not installed after apt-get: ${still_missing[*]}" >&2
  exit 1
fi
echo "install-deps: installed ${missing[*]}"
