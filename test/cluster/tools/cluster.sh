#!/usr/bin/env bash
# A one-node Kubernetes cluster inside a network namespace of its own, sealed from the world: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, containerd (runc, bridge CNI), the
# kubelet and kube-proxy (iptables mode) all run in it, and nothing in it has a route out.
#
#   cluster.sh up DIR BIN_DIR      boots it; DIR (new or empty) holds its state, logs and
#                                  kubeconfig; prints the netns name when the node is Ready
#   cluster.sh run DIR CMD ARGS..  runs CMD inside the namespace with KUBECONFIG set
#   cluster.sh asm-up DIR          starts a second, node-less API server (own etcd) in the same
#                                  namespace, standing for an ASM instance's: 172.30.0.3:6443;
#                                  writes DIR/asm-admin.kubeconfig and DIR/asm-controller.kubeconfig
#                                  (user asmpvl-controller, no group, certificates inline for a Secret)
#   cluster.sh down DIR            tears everything down; safe to repeat, and safe on a half-booted DIR
#
# Addresses, all existing only inside the namespace: the node is 172.30.0.2 (on a veth pair the
# script makes), pods are 10.244.0.0/24 behind the bridge cni0 (gateway 10.244.0.1), Services are
# 10.96.0.0/16. Before anything starts, the namespace must have no default route and no interface
# but lo and that veth pair; otherwise the script stops with an error.
#
# Needs root, the binaries of `test/e2e/tools/build.sh --node` in BIN_DIR, and the Debian packages
# of test/cluster/tools/node-packages.sh.
set -euo pipefail

readonly NODE_IP=172.30.0.2
# The ASM instance's API server: a second address on the node's interface, as a machine of its own.
readonly ASM_IP=172.30.0.3
readonly NODE_NAME=asmpvl-node
readonly POD_CIDR=10.244.0.0/24
readonly SERVICE_CIDR=10.96.0.0/16
readonly KUBERNETES_SERVICE_IP=10.96.0.1
readonly CNI_BIN_DIR=/usr/lib/cni
readonly PAUSE_IMAGE=asmpvl.local/pause:busybox
# The kubelet sets these machine-wide kernel settings at start (they are not per namespace); down
# puts back what was there before.
readonly KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
readonly HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

in_netns() { nsenter --net="/run/netns/$NETNS" "$@"; }

# Starts a component inside the namespace in a session of its own, logging to DIR/logs/NAME.log;
# its pid goes to DIR/pids so that `down` finds it whatever happened to the caller.
start() {
  local name="$1"
  shift
  setsid nsenter --net="/run/netns/$NETNS" "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  printf '%s %s\n' "$!" "$name" >>"$DIR/pids"
}

# Waits up to $1 seconds for the command to succeed; on timeout, prints the component's log tail.
wait_for() {
  local seconds="$1" name="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      tail -n 40 "$DIR/logs/$name.log" >&2 || true
      die "$name was not ready within ${seconds}s (its log is above)"
    fi
    sleep 0.5
  done
}

# --- the sealed namespace ----------------------------------------------------------------------

create_netns() {
  ip netns add "$NETNS"
  echo "$NETNS" >"$DIR/netns"
  in_netns ip link set lo up
  in_netns ip link add node0 type veth peer name node0-peer
  in_netns ip link set node0 up
  in_netns ip link set node0-peer up
  in_netns ip addr add "$NODE_IP/32" dev node0
  # Locally sent packets to a Service address need a route before kube-proxy's DNAT rewrites them.
  in_netns ip route add "$SERVICE_CIDR" dev node0
  in_netns sysctl -qw net.ipv4.ip_forward=1
  in_netns sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
  check_sealed
}

# The one guarantee everything else rests on: no way out of the namespace.
check_sealed() {
  local routes links unexpected
  routes="$(in_netns ip -4 route show default; in_netns ip -6 route show default)"
  [[ -z "$routes" ]] || die "namespace $NETNS has a default route, refusing to start anything: $routes"
  links="$(in_netns ip -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p')"
  unexpected="$(grep -vxE 'lo|node0|node0-peer' <<<"$links" || true)"
  [[ -z "$unexpected" ]] || die "namespace $NETNS has interfaces the test did not make, refusing to start anything: $unexpected"
  log "namespace $NETNS is sealed: no default route; interfaces: $(tr '\n' ' ' <<<"$links")"
}

# --- certificates --------------------------------------------------------------------------------

# issue NAME CN [O] [SANs]: a key and a certificate signed by the cluster CA.
issue() {
  local name="$1" cn="$2" org="${3:-}" sans="${4:-}" subject="/CN=$2"
  [[ -n "$org" ]] && subject="/O=$org/CN=$cn"
  openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/pki/$name.key" 2>/dev/null
  openssl req -new -key "$DIR/pki/$name.key" -subj "$subject" -out "$DIR/pki/$name.csr" 2>/dev/null
  local ext="$DIR/pki/$name.ext"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
  [[ -n "$sans" ]] && printf 'subjectAltName=%s\n' "$sans" >>"$ext"
  openssl x509 -req -in "$DIR/pki/$name.csr" -CA "$DIR/pki/ca.crt" -CAkey "$DIR/pki/ca.key" -CAcreateserial \
    -days 2 -extfile "$ext" -out "$DIR/pki/$name.crt" 2>/dev/null
}

kubeconfig() {
  local name="$1" server="$2"
  cat >"$DIR/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: asmpvl-cluster
    cluster: {server: "$server", certificate-authority: "$DIR/pki/ca.crt"}
users:
  - name: $name
    user: {client-certificate: "$DIR/pki/$name.crt", client-key: "$DIR/pki/$name.key"}
contexts:
  - name: asmpvl-cluster
    context: {cluster: asmpvl-cluster, user: $name}
current-context: asmpvl-cluster
EOF
}

write_pki() {
  mkdir -p "$DIR/pki"
  openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$DIR/pki/ca.key" -subj /CN=asmpvl-cluster-ca -days 2 -out "$DIR/pki/ca.crt" 2>/dev/null
  issue apiserver kube-apiserver "" \
    "IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue admin asmpvl-cluster-admin system:masters
  issue controller-manager system:kube-controller-manager
  issue scheduler system:kube-scheduler
  issue kubelet "system:node:$NODE_NAME" system:nodes "IP:$NODE_IP,DNS:$NODE_NAME"
  issue kube-proxy system:kube-proxy
  openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/pki/service-account.key" 2>/dev/null
  openssl ec -in "$DIR/pki/service-account.key" -pubout -out "$DIR/pki/service-account.pub" 2>/dev/null
  local name
  for name in admin controller-manager scheduler kubelet kube-proxy; do kubeconfig "$name" "https://$NODE_IP:6443"; done
}

# A kubeconfig with everything inline, for a Secret read by a pod: kubeconfig_inline NAME SERVER USER.
kubeconfig_inline() {
  local name="$1" server="$2" user="$3"
  cat >"$DIR/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: asm
    cluster: {server: "$server", certificate-authority-data: "$(base64 -w0 "$DIR/pki/ca.crt")"}
users:
  - name: $user
    user:
      client-certificate-data: "$(base64 -w0 "$DIR/pki/$user.crt")"
      client-key-data: "$(base64 -w0 "$DIR/pki/$user.key")"
contexts:
  - name: asm
    context: {cluster: asm, user: $user}
current-context: asm
EOF
}

# --- components ----------------------------------------------------------------------------------

start_control_plane() {
  start etcd "$BIN/etcd" --name=node --data-dir="$DIR/etcd" --listen-client-urls=http://127.0.0.1:2379 \
    --advertise-client-urls=http://127.0.0.1:2379 --listen-peer-urls=http://127.0.0.1:2380 \
    --initial-advertise-peer-urls=http://127.0.0.1:2380 --initial-cluster=node=http://127.0.0.1:2380 \
    --unsafe-no-fsync --log-level=warn
  wait_for 60 etcd in_netns "$BUSYBOX" wget -q -O /dev/null http://127.0.0.1:2379/health
  local pki="$DIR/pki"
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port=6443 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/admin.crt" --kubelet-client-key="$pki/admin.key" \
    --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$pki/service-account.pub" \
    --service-account-signing-key-file="$pki/service-account.key" --service-cluster-ip-range="$SERVICE_CIDR" \
    --kubelet-preferred-address-types=InternalIP --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --profiling=false \
    --cert-dir="$pki"
  wait_for 120 kube-apiserver in_netns "$BIN/kubectl" --kubeconfig="$DIR/admin.kubeconfig" get --raw=/readyz
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$DIR/controller-manager.kubeconfig" --bind-address=127.0.0.1 \
    --leader-elect=false --use-service-account-credentials=true --root-ca-file="$pki/ca.crt" \
    --service-account-private-key-file="$pki/service-account.key" --service-cluster-ip-range="$SERVICE_CIDR" \
    --profiling=false
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig="$DIR/scheduler.kubeconfig" --authorization-kubeconfig="$DIR/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
}

start_containerd() {
  mkdir -p "$DIR/containerd" "$DIR/cni/net.d" "$DIR/cni/ipam"
  cat >"$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
[grpc]
  address = "$DIR/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The kubelet asks for oom_score_adj values below the machine's own (-998 for a sandbox), which
  # a container host (like this test's, or kind's) may not grant: cap them at containerd's.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$DIR/cni/net.d"
EOF
  cat >"$DIR/cni/net.d/10-asmpvl.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "$NETNS", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$DIR/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}
]}
EOF
  start containerd /usr/bin/containerd --config "$DIR/containerd/config.toml"
  wait_for 30 containerd ctr --address "$DIR/containerd.sock" version
}

# Imports an image archive into containerd's k8s.io namespace, where the kubelet looks.
import_image() {
  log "importing $1"
  ctr --address "$DIR/containerd.sock" -n k8s.io images import --no-unpack=false "$1" >&2
}

start_node() {
  local key
  for key in "${KUBELET_SYSCTLS[@]}"; do printf '%s=%s\n' "$key" "$(sysctl -n "$key")"; done >"$DIR/sysctl-before"
  printf '' >"$DIR/resolv.conf"
  cat >"$DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$DIR/pki/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$DIR/pki/kubelet.crt"
tlsPrivateKeyFile: "$DIR/pki/kubelet.key"
containerRuntimeEndpoint: "unix://$DIR/containerd.sock"
cgroupDriver: cgroupfs
# This machine mounts cgroup v1 hierarchies; the kubelet refuses them unless told otherwise.
failCgroupV1: false
failSwapOn: false
resolvConf: "$DIR/resolv.conf"
podLogsDir: "$DIR/pod-logs"
clusterDomain: cluster.local
serializeImagePulls: false
evictionHard: {memory.available: "10Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
registerNode: true
EOF
  start kubelet "$BIN/kubelet" --config="$DIR/kubelet.yaml" --kubeconfig="$DIR/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --root-dir="$DIR/kubelet"
  start kube-proxy "$BIN/kube-proxy" --kubeconfig="$DIR/kube-proxy.kubeconfig" --proxy-mode=iptables \
    --hostname-override="$NODE_NAME" --cluster-cidr="$POD_CIDR" --conntrack-max-per-core=0 \
    --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
    --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256
  wait_for 180 kubelet in_netns "$BIN/kubectl" --kubeconfig="$DIR/admin.kubeconfig" wait --for=condition=Ready \
    "node/$NODE_NAME" --timeout=2s
  wait_for 60 kube-proxy in_netns "$BUSYBOX" wget -q -O /dev/null http://127.0.0.1:10256/healthz
}

up() {
  ((EUID == 0)) || die "the cluster needs root (network namespace, containerd, the kubelet)"
  local bin_dir="$2"
  mkdir -p "$DIR/logs"
  BIN="$bin_dir"
  echo "$BIN" >"$DIR/bin-dir"
  BUSYBOX=/bin/busybox
  local name
  for name in etcd kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy; do
    [[ -x "$BIN/$name" ]] || die "$BIN/$name is missing; run: bash test/e2e/tools/build.sh --node"
  done
  NETNS="asmpvl-cluster-$(basename "$DIR" | tr -c 'a-zA-Z0-9\n' '-')"
  local started=$SECONDS
  # A boot that fails leaves nothing behind: the log tail is printed by wait_for first.
  trap 'status=$?; ((status == 0)) || { log "boot failed; tearing down"; down; }' EXIT
  # Pod namespaces containerd makes later are told apart from anyone else's by this list.
  ip netns list | cut -d' ' -f1 | sort >"$DIR/netns-before"
  create_netns
  write_pki
  start_control_plane
  start_containerd
  local pause_archive="$DIR/pause.tar"
  bash "$HERE/pause-image.sh" "$pause_archive" "$PAUSE_IMAGE" >/dev/null
  import_image "$pause_archive"
  start_node
  trap - EXIT
  log "node $NODE_NAME is Ready in namespace $NETNS after $((SECONDS - started)) s"
  echo "$NETNS"
}

# The ASM instance's API server: no node, no controller manager, no scheduler (it runs no pods), its
# own etcd; the API server's own bootstrap makes the default and kube-system namespaces.
asm_up() {
  NETNS="$(cat "$DIR/netns")"
  BIN="$(cat "$DIR/bin-dir")"
  BUSYBOX=/bin/busybox
  local started=$SECONDS pki="$DIR/pki"
  in_netns ip addr add "$ASM_IP/32" dev node0
  issue asm-apiserver asm-apiserver "" "IP:$ASM_IP"
  issue asm-admin asmpvl-asm-admin system:masters
  issue asm-controller asmpvl-controller
  kubeconfig_inline asm-admin "https://$ASM_IP:6443" asm-admin
  kubeconfig_inline asm-controller "https://$ASM_IP:6443" asm-controller
  start asm-etcd "$BIN/etcd" --name=asm --data-dir="$DIR/asm-etcd" --listen-client-urls=http://127.0.0.1:2479 \
    --advertise-client-urls=http://127.0.0.1:2479 --listen-peer-urls=http://127.0.0.1:2480 \
    --initial-advertise-peer-urls=http://127.0.0.1:2480 --initial-cluster=asm=http://127.0.0.1:2480 \
    --unsafe-no-fsync --log-level=warn
  wait_for 60 asm-etcd in_netns "$BUSYBOX" wget -q -O /dev/null http://127.0.0.1:2479/health
  # Services of this API server are never used (it has no nodes); its range is routed nowhere.
  start asm-apiserver "$BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2479 \
    --bind-address="$ASM_IP" --advertise-address="$ASM_IP" --secure-port=6443 \
    --tls-cert-file="$pki/asm-apiserver.crt" --tls-private-key-file="$pki/asm-apiserver.key" --client-ca-file="$pki/ca.crt" \
    --service-account-issuer=https://asm.invalid --service-account-key-file="$pki/service-account.pub" \
    --service-account-signing-key-file="$pki/service-account.key" --service-cluster-ip-range=10.97.0.0/16 \
    --authorization-mode=RBAC --profiling=false --cert-dir="$pki/asm"
  wait_for 120 asm-apiserver in_netns "$BIN/kubectl" --kubeconfig="$DIR/asm-admin.kubeconfig" get --raw=/readyz
  log "the ASM instance's API server answers at https://$ASM_IP:6443 after $((SECONDS - started)) s"
}

run() {
  NETNS="$(cat "$DIR/netns")"
  KUBECONFIG="$DIR/admin.kubeconfig" in_netns "$@"
}

# --- teardown ------------------------------------------------------------------------------------

# Kills a pid from DIR/pids and waits for it; SIGKILL after the grace period.
stop_pid() {
  local pid="$1" grace="$2"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

pid_of() { sed -n "s/^\([0-9]*\) $1\$/\1/p" "$DIR/pids" 2>/dev/null; }

down() {
  [[ -d "$DIR" ]] || return 0
  NETNS="$(cat "$DIR/netns" 2>/dev/null || true)"
  local pid
  # The kubelet first, so it restarts nothing; then every container, then the runtime.
  for pid in $(pid_of kubelet); do stop_pid "$pid" 5; done
  if [[ -d "$DIR/runc" ]]; then
    local id
    for id in $(runc --root "$DIR/runc/k8s.io" list -q 2>/dev/null); do
      runc --root "$DIR/runc/k8s.io" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  # containerd's shims outlive containerd; they carry its socket path on their command line.
  for pid in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $DIR/containerd.sock" || true); do stop_pid "$pid" 5; done
  [[ -f "$DIR/sysctl-before" ]] && sysctl -q -p "$DIR/sysctl-before" >/dev/null 2>&1 || true
  # Everything else this DIR started, newest first.
  if [[ -f "$DIR/pids" ]]; then
    while read -r pid _; do stop_pid "$pid" 15; done < <(tac "$DIR/pids")
  fi
  # Mounts under DIR (container rootfs, pod volumes, shm), deepest first.
  local mount
  while read -r mount; do umount -l "$mount" 2>/dev/null || true; done < <(
    awk -v dir="$DIR/" 'index($5, dir) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  # Pod network namespaces containerd made and did not remove.
  if [[ -f "$DIR/netns-before" ]]; then
    local ns
    for ns in $(comm -13 "$DIR/netns-before" <(ip netns list | cut -d' ' -f1 | sort) | grep '^cni-' || true); do
      ip netns delete "$ns" 2>/dev/null || true
    done
  fi
  # What the kubelet and the CNI plugins write outside DIR: log links and cached CNI results.
  find /var/log/containers -maxdepth 1 -type l -lname "$DIR/*" -delete 2>/dev/null || true
  [[ -n "$NETNS" ]] && rm -f /var/lib/cni/results/"$NETNS"-* 2>/dev/null || true
  local sandbox
  for sandbox in "$DIR"/containerd/root/io.containerd.grpc.v1.cri/sandboxes/*; do
    [[ -d "$sandbox" ]] && rm -f /var/lib/cni/results/*-"$(basename "$sandbox")"-* 2>/dev/null || true
  done
  # The kubelet's pod cgroups, in every v1 hierarchy (and v2, were it mounted so).
  local cgroup
  for cgroup in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "$cgroup" ]] && find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  [[ -n "$NETNS" ]] && ip netns delete "$NETNS" 2>/dev/null || true
  rm -rf "$DIR"
  log "torn down $DIR${NETNS:+ and namespace $NETNS}"
}

main() {
  local command="${1:-}"
  DIR="${2:-}"
  [[ -n "$command" && -n "$DIR" ]] || die "usage: cluster.sh up DIR BIN_DIR | run DIR CMD... | asm-up DIR | down DIR"
  DIR="$(realpath -m "$DIR")"
  case "$command" in
    up)
      [[ -n "${3:-}" ]] || die "usage: cluster.sh up DIR BIN_DIR"
      up "$DIR" "$3"
      ;;
    run) shift 2 && run "$@" ;;
    asm-up) asm_up ;;
    down) down ;;
    *) die "unknown command $command" ;;
  esac
}

main "$@"
