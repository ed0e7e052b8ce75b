#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image the cluster tests' containerd uses, without pulling
# anything from a container registry: one layer holding Debian's statically linked busybox, whose
# shell sleeps until it is told to stop. Written like scripts/build-image.sh writes ours: one tar
# that is both an OCI image layout (index.json, with the containerd image name) and a
# `docker save` archive (manifest.json), reproducible (sorted, owned by 0:0, dated at epoch 0).
#
# Usage: pause-image.sh OUTPUT.tar [NAME:TAG]   (default tag asmpvl.local/pause:busybox)
# The last line on stdout is the image's full name, as containerd records it.
set -euo pipefail

die() { printf 'pause-image: error: %s\n' "$*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

output="${1:?usage: pause-image.sh OUTPUT.tar [NAME:TAG]}"
tag="${2:-asmpvl.local/pause:busybox}"
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  die "$busybox is missing or not static; install Debian's busybox-static (test/cluster/tools/node-packages.sh does)"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/archive/blobs/sha256"
install -m 0555 "$busybox" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sh"
ln -s busybox "$work/rootfs/bin/sleep"
(cd "$work/rootfs" && tar --create --file "$work/layer.tar" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime=@0 --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime bin)
diff_id="$(sha256_of "$work/layer.tar")"
gzip -n -6 <"$work/layer.tar" >"$work/layer.tar.gz"
layer_digest="$(sha256_of "$work/layer.tar.gz")"
layer_size="$(stat -c %s "$work/layer.tar.gz")"
mv "$work/layer.tar.gz" "$work/archive/blobs/sha256/$layer_digest"

# PID 1 of the sandbox: exits at once on SIGTERM or SIGINT, and reaps what it is given (a shell
# waiting on its child does), like the upstream pause binary.
cat >"$work/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z","config":{"User":"65535:65535","Entrypoint":["/bin/sh","-c","trap 'exit 0' TERM INT; while :; do sleep 3600 & wait \$!; done"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"test/cluster/tools/pause-image.sh: Debian busybox-static"}]}
JSON
config_digest="$(sha256_of "$work/config.json")"
config_size="$(stat -c %s "$work/config.json")"
mv "$work/config.json" "$work/archive/blobs/sha256/$config_digest"

cat >"$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer_digest","size":$layer_size}]}
JSON
manifest_digest="$(sha256_of "$work/manifest.json")"
manifest_size="$(stat -c %s "$work/manifest.json")"
mv "$work/manifest.json" "$work/archive/blobs/sha256/$manifest_digest"

printf '{"imageLayoutVersion":"1.0.0"}\n' >"$work/archive/oci-layout"
cat >"$work/archive/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$manifest_size,"platform":{"architecture":"$arch","os":"linux"},"annotations":{"io.containerd.image.name":"$tag","org.opencontainers.image.ref.name":"${tag##*:}"}}]}
JSON
cat >"$work/archive/manifest.json" <<JSON
[{"Config":"blobs/sha256/$config_digest","RepoTags":["$tag"],"Layers":["blobs/sha256/$layer_digest"]}]
JSON
mkdir -p "$(dirname "$output")"
(cd "$work/archive" && LC_ALL=C tar --create --file - --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime=@0 --format=posix --pax-option=delete=atime,delete=ctime oci-layout index.json manifest.json blobs) >"$output"
echo "$tag"
