#!/usr/bin/env bash
# Builds krew's own manifest validator, validate-krew-manifest (what krew-index runs on every
# plugin manifest), and krew itself as kubectl-krew (to install an archive the way users do), from
# the Go module proxy with the local Go, and prints the directory holding both on the last line of
# stdout. Cached outside the repository, keyed by the version, like build.sh; only the
# first run compiles (about a minute on 2 cores).
#
# Environment:
#   ASMPVL_TOOLS_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asmpvl-tools)
#   ASMPVL_GO           the go command to use (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

readonly KREW_MODULE=sigs.k8s.io/krew
# v0.4.5, the newest, is refused by the module proxy (403 "This module version is not available").
readonly KREW_VERSION=v0.4.4
readonly VALIDATOR=sigs.k8s.io/krew/cmd/validate-krew-manifest
readonly KREW=sigs.k8s.io/krew/cmd/krew

readonly TOOLS_NAME=asmpvl-krew
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  local go root dest work
  go="$(find_go 'validate-krew-manifest and krew are built with Go')"
  root="$(tools_cache_root)"
  dest="$root/krew-$KREW_VERSION-$("$go" env GOOS)-$("$go" env GOARCH)"
  if [[ -x "$dest/bin/validate-krew-manifest" && -x "$dest/bin/kubectl-krew" ]]; then
    echo "$dest/bin"
    return
  fi
  mkdir -p "$root"
  lock_build "$dest"
  if [[ ! -x "$dest/bin/validate-krew-manifest" || ! -x "$dest/bin/kubectl-krew" ]]; then
    # A module of its own that requires krew and names the command with a `tool` directive, as
    # lint-tools.sh does; go mod tidy resolves the versions krew's go.mod requires.
    work="$dest.partial.$$"
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" EXIT
    mkdir -p "$work/src" "$work/bin"
    printf 'module asmpvl.local/krew\n\ngo 1.26.0\n\nrequire %s %s\n\ntool (\n\t%s\n\t%s\n)\n' \
      "$KREW_MODULE" "$KREW_VERSION" "$VALIDATOR" "$KREW" > "$work/src/go.mod"
    log "building validate-krew-manifest and krew $KREW_VERSION into $dest (first run only)"
    export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod"
    (cd "$work/src" && nice -n 10 "$go" mod tidy >&2 &&
      nice -n 10 "$go" build -p 2 -trimpath -ldflags "-s -w" -o "$work/bin/validate-krew-manifest" "$VALIDATOR" >&2 &&
      nice -n 10 "$go" build -p 2 -trimpath -ldflags "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$KREW_VERSION" \
        -o "$work/bin/kubectl-krew" "$KREW" >&2)
    rm -rf "$dest" && mv "$work" "$dest"
    trap - EXIT
  fi
  echo "$dest/bin"
}

main "$@"
