#!/usr/bin/env bash
# Builds the asmpvl container image (the webhook and the controller, one image) without a container
# engine, and writes it as one tar file that is at once an OCI image layout (oci-layout, index.json,
# blobs/) and a `docker save` archive (manifest.json), so every usual tool takes it:
#
#   docker load -i dist/image/asmpvl-0.1.0.tar          # or: podman load -i ...
#   kind load image-archive dist/image/asmpvl-0.1.0.tar
#   skopeo copy oci-archive:dist/image/asmpvl-0.1.0.tar docker://<registry>/asmpvl:0.1.0
#   crane push dist/image/asmpvl-0.1.0.tar <registry>/asmpvl:0.1.0
#
# What the image holds (one layer, like a distroless image): the pinned Node.js binary of this
# repository (node_modules/node, the version package.json pins), the shared libraries it links
# against taken from this machine (glibc, libstdc++, libgcc_s: `ldd` lists them), their copyright
# files, /etc/passwd and /etc/group with the non-root user 65532, an empty /tmp, and
# /app/dist/asmpvl-webhook.cjs and /app/dist/asmpvl-controller.cjs: esbuild bundles every
# dependency into these, so there is no npm, no node_modules and no source in the image.
# It runs as 65532:65532; the entry point starts the webhook (`node /app/dist/asmpvl-webhook.cjs`)
# and the chart's controller Deployment runs `node /app/dist/asmpvl-controller.cjs` instead.
#
# The same input gives the same image digest: files are sorted, owned by 0:0, and dated at the
# last commit (SOURCE_DATE_EPOCH), and gzip writes no name or time.
#
# Usage: scripts/build-image.sh [--no-build] [--dist DIR] [--tag NAME:TAG] [--output FILE]
#   --no-build  use dist/ as it is instead of running `npm run build` first
#   --dist      take the two bundles from DIR instead of dist/ (implies --no-build)
#   --tag       image name and tag recorded in the archive (default asmpvl:<package.json version>)
#   --output    where to write it (default dist/image/asmpvl-<version>.tar)
# Needs: bash, GNU tar, gzip, sha256sum, ldd (glibc), and a linux/amd64 or linux/arm64 machine
# (the image gets the machine's architecture, like the Node.js binary npm installed).
# The last line on stdout is the path of the archive.
set -euo pipefail

readonly ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly UID_GID=65532
readonly BUNDLES=(asmpvl-webhook.cjs asmpvl-controller.cjs)

log() { printf 'build-image: %s\n' "$*" >&2; }
die() { printf 'build-image: error: %s\n' "$*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

build=1
dist=dist
tag=''
output=''
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --dist) dist="${2:?--dist needs a directory}"; build=0; shift ;;
    --dist=*) dist="${1#--dist=}"; build=0 ;;
    --tag) tag="${2:?--tag needs NAME:TAG}"; shift ;;
    --tag=*) tag="${1#--tag=}" ;;
    --output) output="${2:?--output needs a file name}"; shift ;;
    --output=*) output="${1#--output=}" ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

cd "$ROOT"
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json | head -1)"
[[ -n "$version" ]] || die "could not read the version from package.json"
tag="${tag:-asmpvl:$version}"
[[ "$tag" == *:* && "${tag##*:}" != */* ]] || die "--tag $tag must be NAME:TAG, e.g. asmpvl:$version"
output="${output:-dist/image/asmpvl-$version.tar}"

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported machine $(uname -m): the image is built for linux/amd64 or linux/arm64" ;;
esac
[[ "$(uname -s)" == Linux ]] || die "build the image on Linux: it copies this machine's Node.js binary and glibc"

if ((build)); then
  log "npm run build"
  npm run build >&2
fi

node_bin="$ROOT/node_modules/node/bin/node"
[[ -x "$node_bin" ]] || die "$node_bin is missing: run npm ci first (the image takes the pinned Node.js from there)"
node_version="$("$node_bin" --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{app/dist,etc,tmp,usr/local/bin}
chmod 1777 "$rootfs/tmp"

install -m 0555 "$node_bin" "$rootfs/usr/local/bin/node"

# Every library the dynamic linker resolves for node, at the path it resolves it to, plus the
# linker itself; each package's copyright file goes along (glibc is LGPL, libstdc++ GPL with the
# runtime exception).
while read -r line; do
  path="$(sed -n 's/^.*=> \(\/[^ ]*\) (0x.*$/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p' <<<"$line")"
  [[ -n "$path" ]] || continue
  mkdir -p "$rootfs$(dirname "$path")"
  # Read-only for everyone; executable where the source is (the kernel execs the dynamic linker).
  mode=0444
  [[ -x "$(readlink -f "$path")" ]] && mode=0555
  install -m "$mode" "$(readlink -f "$path")" "$rootfs$path"
  if command -v dpkg >/dev/null; then
    # dpkg knows a file by the path its package installed it at: before or after usr-merge.
    package="$({ dpkg -S "$path" || dpkg -S "$(readlink -f "$path")"; } 2>/dev/null | head -1 | cut -d: -f1)" || true
    if [[ -n "$package" && -f "/usr/share/doc/$package/copyright" ]]; then
      mkdir -p "$rootfs/usr/share/doc/$package"
      install -m 0444 "/usr/share/doc/$package/copyright" "$rootfs/usr/share/doc/$package/copyright"
    fi
  fi
done < <(ldd "$node_bin")
[[ -n "$(find "$rootfs" -name 'libc.so*' -print -quit)" ]] || die "ldd listed no libc for $node_bin; is this a glibc system?"

for bundle in "${BUNDLES[@]}"; do
  [[ -f "$dist/$bundle" ]] || die "$dist/$bundle is missing: run npm run build (or leave out --no-build)"
  install -m 0444 "$dist/$bundle" "$rootfs/app/dist/$bundle"
done

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/tmp:/sbin/nologin\n' "$UID_GID" "$UID_GID" >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$UID_GID" >"$rootfs/etc/group"
chmod 0444 "$rootfs/etc/passwd" "$rootfs/etc/group"

epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

blobs="$work/archive/blobs/sha256"
mkdir -p "$blobs"
# Entries without a leading ./, sorted, owned by root, dated at the commit: reproducible.
(cd "$rootfs" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
  tar --create --file "$work/layer.tar" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@$epoch" --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --files-from -)
diff_id="$(sha256_of "$work/layer.tar")"
gzip -n -6 <"$work/layer.tar" >"$work/layer.tar.gz"
layer_digest="$(sha256_of "$work/layer.tar.gz")"
layer_size="$(stat -c %s "$work/layer.tar.gz")"
mv "$work/layer.tar.gz" "$blobs/$layer_digest"

cat >"$work/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"$created","config":{"User":"$UID_GID:$UID_GID","Env":["PATH=/usr/local/bin:/usr/bin:/bin","NODE_ENV=production"],"Entrypoint":["node","/app/dist/asmpvl-webhook.cjs"],"WorkingDir":"/app","ExposedPorts":{"8081/tcp":{},"9443/tcp":{}},"Labels":{"org.opencontainers.image.title":"asmpvl","org.opencontainers.image.description":"asmpvl admission webhook (entry point) and asmpvl-controller (node /app/dist/asmpvl-controller.cjs)","org.opencontainers.image.version":"$version","org.opencontainers.image.licenses":"Apache-2.0","io.asmpvl.node-version":"$node_version"}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"$created","created_by":"scripts/build-image.sh: Node.js $node_version and its libraries, /app/dist bundles"}]}
EOF
config_digest="$(sha256_of "$work/config.json")"
config_size="$(stat -c %s "$work/config.json")"
mv "$work/config.json" "$blobs/$config_digest"

cat >"$work/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer_digest","size":$layer_size}]}
EOF
manifest_digest="$(sha256_of "$work/manifest.json")"
manifest_size="$(stat -c %s "$work/manifest.json")"
mv "$work/manifest.json" "$blobs/$manifest_digest"

name="${tag%:*}"
[[ "$name" == */* ]] || name="library/$name"
[[ "${name%%/*}" == *.* || "${name%%/*}" == *:* || "${name%%/*}" == localhost ]] || name="docker.io/$name"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$work/archive/oci-layout"
cat >"$work/archive/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$manifest_size,"platform":{"architecture":"$arch","os":"linux"},"annotations":{"io.containerd.image.name":"$name:${tag##*:}","org.opencontainers.image.ref.name":"${tag##*:}"}}]}
EOF
# `docker load` (and crane's tarball reader) read manifest.json; OCI tools read index.json.
cat >"$work/archive/manifest.json" <<EOF
[{"Config":"blobs/sha256/$config_digest","RepoTags":["$tag"],"Layers":["blobs/sha256/$layer_digest"]}]
EOF

mkdir -p "$(dirname "$output")"
(cd "$work/archive" && LC_ALL=C tar --create --file - --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$epoch" --format=posix --pax-option=delete=atime,delete=ctime oci-layout index.json manifest.json blobs) >"$output.partial"
mv "$output.partial" "$output"

log "wrote $output: $tag for linux/$arch, Node.js $node_version, user $UID_GID"
log "manifest sha256:$manifest_digest, layer $((layer_size / 1024 / 1024)) MiB compressed, $(($(stat -c %s "$work/layer.tar") / 1024 / 1024)) MiB unpacked"
echo "$output"
