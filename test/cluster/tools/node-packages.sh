#!/usr/bin/env bash
# Installs the node's runtime from Debian packages when any piece is missing: containerd and runc
# (the container runtime), the CNI plugins (bridge, host-local, loopback, portmap), iptables and
# conntrack (kube-proxy's iptables mode) and busybox-static (the pause image's one binary).
# Runs as root, like CI; `apt-get update` runs once, only when something has to be installed.
# No service is started: the cluster tests start containerd themselves, inside their own sealed
# network namespace, and nothing of it may run in the host's.
#
# The last line on stdout is the directory holding the CNI plugins.
set -euo pipefail

log() { printf 'node-packages: %s\n' "$*" >&2; }
die() { printf 'node-packages: error: %s\n' "$*" >&2; exit 1; }

# package -> a file it installs, to tell whether it is there without asking dpkg about versions.
declare -A PROVIDES=(
  [containerd]=/usr/bin/containerd
  [runc]=/usr/sbin/runc
  [containernetworking-plugins]=/usr/lib/cni/bridge
  [iptables]=/usr/sbin/iptables
  [conntrack]=/usr/sbin/conntrack
  [busybox-static]=/bin/busybox
)
readonly CNI_DIR=/usr/lib/cni

missing=()
for package in "${!PROVIDES[@]}"; do
  [[ -x "${PROVIDES[$package]}" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  ((EUID == 0)) || die "missing ${missing[*]}; run this script as root (it runs apt-get install) or install them yourself"
  command -v apt-get >/dev/null || die "missing ${missing[*]} and this is not a Debian-like system; install them with its package manager"
  log "installing ${missing[*]}"
  # A policy-rc.d answering 101 keeps the packages' maintainer scripts from starting containerd
  # in the host's namespace; one the system already has is left as it is.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e "$policy" ]]; then
    trap 'rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

for package in "${!PROVIDES[@]}"; do
  [[ -x "${PROVIDES[$package]}" ]] || die "$package is installed but ${PROVIDES[$package]} is missing"
done
echo "$CNI_DIR"
