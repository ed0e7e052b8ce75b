#!/usr/bin/env bash
# Builds the ecosystem's tools that test/e2e/chart-lint.e2e.test.ts and image.e2e.test.ts run:
# kubeconform (schemas), kube-score (reliability and security checks) and chart-testing's `ct`
# (what chart repositories run in CI) on every render mode of charts/asmpvl, and crane
# (go-containerregistry) to read and validate the image scripts/build-image.sh writes. From the Go
# module proxy with the local Go.
#
# Polaris is not here: the module proxy refuses every version of github.com/fairwindsops/polaris
# (403 "This module version is not available"), so it cannot be built from source on this path.
# kube-score covers most of its checks (probes, resources, security context, NetworkPolicy, PDB).
#
# Each tool is cached outside the repository under its own version, so changing one version
# rebuilds only that tool; the first run compiles (measured cold, with empty Go caches, on 2
# cores shared with other work: about 5 minutes for the first three, 3 more for crane; mostly
# module downloads). Progress goes to stderr; the last line on stdout is the directory holding
# the binaries.
#
# Environment:
#   ASMPVL_TOOLS_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asmpvl-tools)
#   ASMPVL_GO           the go command to use (default: go on PATH, else /usr/local/go/bin/go)
#   ASMPVL_TOOLS_JOBS   packages compiled in parallel (default: 2)
set -euo pipefail

# Pinned versions: name, package@version, and the module when it is not the package's prefix
# before /cmd/.
readonly TOOLS=(
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"
  "kube-score github.com/zegl/kube-score/cmd/kube-score@v1.20.0"
  "ct github.com/helm/chart-testing/v3/ct@v3.14.0 github.com/helm/chart-testing/v3"
  "crane github.com/google/go-containerregistry/cmd/crane@v0.22.1"
)

readonly TOOLS_NAME=asmpvl-lint-tools
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Version flags, so `<tool> version` prints the release instead of "dev".
ldflags_of() {
  case "$1" in
    kube-score) echo "-X main.version=$2" ;;
    ct) echo "-X github.com/helm/chart-testing/v3/ct/cmd.Version=$2" ;;
    crane) echo "-X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$2" ;;
  esac
}

# One tool, in a module of its own that requires the tool's module and names its command with a
# `tool` directive (as build.sh's templates do): `go install module@version` cannot be used, because
# it asks the proxy for the module's version list (to report deprecations), which the proxy refuses
# for chart-testing. go mod tidy resolves the versions the tool's own go.mod requires. Built into a
# scratch directory and renamed into place, so an interrupted build never looks complete.
build_tool() {
  local dir="$1" name="$2" target="$3" module="${4:-}" started=$SECONDS
  local package="${target%@*}" version="${target##*@}"
  module="${module:-${package%%/cmd/*}}"
  local work="$dir/src/$name-$version.$$"
  # shellcheck disable=SC2064 # expand now: the locals are gone when the trap runs
  trap "rm -rf '$work'" EXIT
  rm -rf "$work" && mkdir -p "$work"
  printf 'module asmpvl.local/lint-tools/%s\n\ngo 1.26.0\n\nrequire %s %s\n\ntool %s\n' \
    "$name" "$module" "$version" "$package" >"$work/go.mod"
  log "building $package $version"
  (cd "$work" && nice -n 10 "$GO" mod tidy &&
    nice -n 10 "$GO" build -p "$JOBS" -trimpath -ldflags "-s -w $(ldflags_of "$name" "$version")" \
      -o "$work/$name" "$package")
  mv "$work/$name" "$dir/bin/$name-$version"
  rm -rf "$work"
  trap - EXIT
  log "built $name $version in $((SECONDS - started)) s"
}

main() {
  GO="$(find_go 'the chart lint tests build kubeconform, kube-score, ct and crane with Go')"
  readonly GO
  JOBS="${ASMPVL_TOOLS_JOBS:-2}"
  export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod"
  local root="$(tools_cache_root)"
  local dir="$root/lint-$("$GO" env GOOS)-$("$GO" env GOARCH)"
  mkdir -p "$dir/bin"
  lock_build "$dir"
  local entry name target module
  for entry in "${TOOLS[@]}"; do
    read -r name target module <<<"$entry"
    if [[ ! -x "$dir/bin/$name-${target##*@}" ]]; then
      build_tool "$dir" "$name" "$target" "$module"
    fi
    # Re-pointed only when the version changed, so a run never pulls a link from under a reader.
    [[ "$(readlink "$dir/bin/$name" 2>/dev/null)" == "$name-${target##*@}" ]] ||
      ln -sfn "$name-${target##*@}" "$dir/bin/$name"
  done
  log "using ${#TOOLS[@]} tools in $dir/bin"
  echo "$dir/bin"
}

main "$@"
