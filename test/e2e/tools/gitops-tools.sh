#!/usr/bin/env bash
# Builds the two readers of GitOps tools that test/e2e/gitops.e2e.test.ts runs on real objects:
#   kstatus        sigs.k8s.io/cli-utils/pkg/kstatus/status, as Flux and kstatus-based waits read an
#                  object (gitops/kstatus/main.go)
#   argocd-health  github.com/yuin/gopher-lua, the Lua interpreter Argo CD embeds, running a health
#                  check the way Argo CD runs one (gitops/argocd-health/main.go)
# Each is a module of its own written into a scratch directory (go.mod requiring the pinned
# library, and the main.go beside this script), resolved with go mod tidy against the Go module
# proxy and built with the local Go. Nothing built here is kept in the repository.
#
# Cached outside the repository under the library's version and a hash of the program, so an edit
# of either rebuilds only that program. Progress goes to stderr; the last line on stdout is the
# directory holding `kstatus` and `argocd-health`.
#
# Environment:
#   ASMPVL_TOOLS_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asmpvl-tools)
#   ASMPVL_GO           the go command to use (default: go on PATH, else /usr/local/go/bin/go)
#   ASMPVL_TOOLS_JOBS   packages compiled in parallel (default: 2)
set -euo pipefail

# Pinned versions: the program, the module it needs and its version. gopher-lua v1.1.1 is the one
# Argo CD builds with.
readonly TOOLS=(
  "kstatus sigs.k8s.io/cli-utils v0.37.2"
  "argocd-health github.com/yuin/gopher-lua v1.1.1"
)

readonly SOURCES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gitops"

readonly TOOLS_NAME=asmpvl-gitops-tools
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The cache key of a program: its library's version and the first 12 hex digits of its source's hash.
key_of() {
  local name="$1" version="$2"
  echo "$version-$(sha256sum "$SOURCES/$name/main.go" | cut -c1-12)"
}

# Built into a scratch directory and renamed into place, so an interrupted build never looks complete.
build_tool() {
  local dir="$1" name="$2" module="$3" version="$4" key="$5" started=$SECONDS
  local work="$dir/src/$name-$key.$$"
  # shellcheck disable=SC2064 # expand now: the locals are gone when the trap runs
  trap "rm -rf '$work'" EXIT
  rm -rf "$work" && mkdir -p "$work"
  printf 'module asmpvl.local/gitops-tools/%s\n\ngo 1.26.0\n\nrequire %s %s\n' "$name" "$module" "$version" >"$work/go.mod"
  cp "$SOURCES/$name/main.go" "$work/main.go"
  log "building $name with $module $version"
  (cd "$work" && nice -n 10 "$GO" mod tidy &&
    nice -n 10 "$GO" build -p "$JOBS" -trimpath -ldflags "-s -w" -o "$work/$name" .)
  mv "$work/$name" "$dir/bin/$name-$key"
  rm -rf "$work"
  trap - EXIT
  log "built $name in $((SECONDS - started)) s"
}

main() {
  GO="$(find_go 'the GitOps tests build kstatus and argocd-health with Go')"
  readonly GO
  JOBS="${ASMPVL_TOOLS_JOBS:-2}"
  export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod"
  local root="$(tools_cache_root)"
  local dir="$root/gitops-$("$GO" env GOOS)-$("$GO" env GOARCH)"
  mkdir -p "$dir/bin"
  lock_build "$dir"
  local entry name module version key
  for entry in "${TOOLS[@]}"; do
    read -r name module version <<<"$entry"
    key="$(key_of "$name" "$version")"
    [[ -x "$dir/bin/$name-$key" ]] || build_tool "$dir" "$name" "$module" "$version" "$key"
    # Re-pointed only when the program changed, so a run never pulls a link from under a reader.
    [[ "$(readlink "$dir/bin/$name" 2>/dev/null)" == "$name-$key" ]] || ln -sfn "$name-$key" "$dir/bin/$name"
  done
  log "using ${#TOOLS[@]} tools in $dir/bin"
  echo "$dir/bin"
}

main "$@"
