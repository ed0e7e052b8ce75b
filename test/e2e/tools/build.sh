#!/usr/bin/env bash
# Builds the pinned binaries the end-to-end tests run against: kube-apiserver and kubectl
# (k8s.io/kubernetes), etcd and helm, from Go modules with the local Go toolchain. With --node it
# also builds the node's kubelet, kube-controller-manager, kube-scheduler and kube-proxy from the
# same k8s.io/kubernetes module graph (the cluster tests run a real node), next to the others.
#
# Builds are cached outside the repository, keyed by the versions below, so only the first run
# pays (about 7 minutes on 2 cores). Progress goes to stderr; the last line on stdout is the
# directory holding the four binaries.
#
# Environment:
#   ASMPVL_TOOLS_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asmpvl-tools)
#   ASMPVL_GO           the go command to use (default: go on PATH, else /usr/local/go/bin/go)
#   ASMPVL_TOOLS_JOBS   packages compiled in parallel (default: 2)
set -euo pipefail

# Pinned versions. kube-apiserver v1.37 supports etcd v3.5 and v3.6.
readonly K8S_VERSION=v1.37.2
readonly ETCD_VERSION=v3.6.6
readonly HELM_VERSION=v3.19.0
readonly BINARIES=(kube-apiserver kubectl etcd helm)
readonly NODE_BINARIES=(kubelet kube-controller-manager kube-scheduler kube-proxy)

readonly TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

readonly TOOLS_NAME=asmpvl-tools
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cache_dir() {
  local root="$(tools_cache_root)"
  echo "$root/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-helm-$HELM_VERSION-$("$GO" env GOOS)-$("$GO" env GOARCH)"
}

is_complete() {
  local dir="$1" bin
  for bin in "${BINARIES[@]}"; do [[ -x "$dir/bin/$bin" ]] || return 1; done
}

# The node's binaries missing from DIR/bin, one per line.
missing_node_binaries() {
  local dir="$1" bin
  for bin in "${NODE_BINARIES[@]}"; do [[ -x "$dir/bin/$bin" ]] || echo "$bin"; done
}

# Runs go at low priority: the machine's cores are shared with editors and other test runs.
run_go() { nice -n 10 "$GO" "$@"; }

# Writes go.mod from a template, filling in the pinned versions.
write_go_mod() {
  local template="$1" out_dir="$2"
  mkdir -p "$out_dir"
  sed -e "s/@K8S_VERSION@/$K8S_VERSION/" -e "s/@ETCD_VERSION@/$ETCD_VERSION/" \
      -e "s/@HELM_VERSION@/$HELM_VERSION/" "$TEMPLATES/$template/go.mod.tmpl" > "$out_dir/go.mod"
}

# k8s.io/kubernetes replaces its k8s.io/* staging modules with ./staging paths, which only work
# inside its own repository; a module that depends on it must replace each with the published
# v0.x module of the same release. The list is read from that release's go.mod, not typed here.
append_staging_replaces() {
  local go_mod="$1" json release_mod staging_version="v0.${K8S_VERSION#v1.}"
  json="$(run_go mod download -json "k8s.io/kubernetes@$K8S_VERSION")"
  release_mod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  [[ -f "$release_mod" ]] || die "could not find the go.mod of k8s.io/kubernetes@$K8S_VERSION (go mod download printed: $json)"
  local modules
  modules="$(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$release_mod")"
  [[ -n "$modules" ]] || die "no staging replaces found in $release_mod; has the layout of k8s.io/kubernetes changed?"
  {
    echo
    echo "replace ("
    while read -r module; do printf '\t%s => %s %s\n' "$module" "$module" "$staging_version"; done <<<"$modules"
    echo ")"
  } >> "$go_mod"
  log "replaced $(wc -l <<<"$modules") k8s.io staging modules with $staging_version"
}

# The link flags that make `--version` (and the API server's /version) say K8S_VERSION.
kubernetes_version_flags() {
  local pkg=k8s.io/component-base/version client=k8s.io/client-go/pkg/version minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  local flags="-X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  echo "$flags -X $client.gitVersion=$K8S_VERSION -X $client.gitMajor=1 -X $client.gitMinor=$minor -X $client.gitTreeState=clean"
}

# go mod tidy resolves the versions k8s.io/kubernetes itself requires (minimal version
# selection), so the build is reproducible without committing a go.sum.
prepare_kubernetes_module() {
  local work="$1"
  write_go_mod kubernetes "$work"
  append_staging_replaces "$work/go.mod"
  (cd "$work" && run_go mod tidy)
}

build_kubernetes() {
  local work="$1/kubernetes" out="$1/bin" version_flags
  prepare_kubernetes_module "$work"
  version_flags="$(kubernetes_version_flags)"
  log "building kube-apiserver $K8S_VERSION (the long one: several minutes)"
  (cd "$work" && run_go build -p "$JOBS" -trimpath -ldflags "-s -w $version_flags" -o "$out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  log "building kubectl $K8S_VERSION"
  (cd "$work" && run_go build -p "$JOBS" -trimpath -ldflags "-s -w $version_flags" -o "$out/kubectl" k8s.io/kubernetes/cmd/kubectl)
}

build_etcd() {
  local work="$1/etcd" out="$1/bin"
  write_go_mod etcd "$work"
  (cd "$work" && run_go mod tidy)
  log "building etcd $ETCD_VERSION"
  (cd "$work" && run_go build -p "$JOBS" -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3)
}

# Without the version ldflag `helm version` prints only v3.19. Without the Kubernetes version
# ldflags, `helm template` reports .Capabilities.KubeVersion as v1.20.0 and fails a chart's
# `kubeVersion: >=1.30`; helm's own release build sets them from the client-go it links
# (v0.N.x is Kubernetes 1.N), and so does this one.
build_helm() {
  local work="$1/helm" out="$1/bin" client_go kube_minor
  write_go_mod helm "$work"
  (cd "$work" && run_go mod tidy)
  client_go="$(cd "$work" && run_go list -m -f '{{.Version}}' k8s.io/client-go)"
  kube_minor="$(sed -n 's/^v0\.\([0-9]*\)\..*/\1/p' <<<"$client_go")"
  [[ -n "$kube_minor" ]] || die "could not read the Kubernetes minor version from helm's k8s.io/client-go $client_go"
  local chartutil=helm.sh/helm/v3/pkg/chartutil
  log "building helm $HELM_VERSION (Kubernetes 1.$kube_minor capabilities)"
  (cd "$work" && run_go build -p "$JOBS" -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean -X $chartutil.k8sVersionMajor=1 -X $chartutil.k8sVersionMinor=$kube_minor" \
    -o "$out/helm" helm.sh/helm/v3/cmd/helm)
}

# Builds into a scratch directory and renames it into place, so an interrupted build never
# looks complete to the next run.
build_all() {
  local dest="$1" scratch="$1.partial.$$"
  trap 'rm -rf "$scratch"' EXIT
  rm -rf "$scratch" && mkdir -p "$scratch/bin"
  local started=$SECONDS
  build_etcd "$scratch"
  build_helm "$scratch"
  build_kubernetes "$scratch"
  rm -rf "$dest"
  mv "$scratch" "$dest"
  trap - EXIT
  log "built ${BINARIES[*]} in $((SECONDS - started)) s"
}

# Adds the node's missing binaries to a complete cache, each written under a temporary name and
# renamed into place, so an interrupted build never looks complete; the other binaries are left as
# they are.
build_node() {
  local dest="$1" missing bin version_flags
  missing="$(missing_node_binaries "$dest")"
  [[ -n "$missing" ]] || return 0
  local scratch="$dest.node.$$"
  trap 'rm -rf "$scratch"; rm -f "$dest"/bin/*.partial' EXIT
  rm -rf "$scratch" && mkdir -p "$scratch"
  local started=$SECONDS
  prepare_kubernetes_module "$scratch/kubernetes"
  version_flags="$(kubernetes_version_flags)"
  for bin in $missing; do
    log "building $bin $K8S_VERSION"
    (cd "$scratch/kubernetes" && run_go build -p "$JOBS" -trimpath -ldflags "-s -w $version_flags" \
      -o "$dest/bin/$bin.partial" "k8s.io/kubernetes/cmd/$bin")
    mv "$dest/bin/$bin.partial" "$dest/bin/$bin"
  done
  rm -rf "$scratch"
  trap - EXIT
  log "built $(tr '\n' ' ' <<<"$missing")in $((SECONDS - started)) s"
}

main() {
  local node=false
  case "${1:-}" in
    --node) node=true ;;
    '') ;;
    *) die "unknown argument $1 (usage: build.sh [--node])" ;;
  esac
  GO="$(find_go 'the end-to-end tests need Go >= 1.26 to build kube-apiserver, kubectl, etcd and helm (the first build takes about 7 minutes and 6 GB of disk)')"
  readonly GO
  JOBS="${ASMPVL_TOOLS_JOBS:-2}"
  export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod"
  local dest
  dest="$(cache_dir)"
  mkdir -p "$(dirname "$dest")"
  lock_build "$dest"
  if is_complete "$dest"; then
    log "using cached binaries in $dest/bin"
  else
    log "building into $dest (first run only; set ASMPVL_TOOLS_CACHE to move it)"
    build_all "$dest"
  fi
  if [[ "$node" == true ]]; then build_node "$dest"; fi
  echo "$dest/bin"
}

main "$@"
