# Shared by the scripts that build pinned Go tools into the cache outside the repository: logging,
# finding Go, the cache root and the one-build-at-a-time lock. Source it after setting TOOLS_NAME,
# the prefix of every log line.

log() { printf '%s: %s\n' "$TOOLS_NAME" "$*" >&2; }
die() { printf '%s: error: %s\n' "$TOOLS_NAME" "$*" >&2; exit 1; }

# find_go NEED: prints the go command to use (ASMPVL_GO, else go on PATH, else /usr/local/go/bin/go);
# NEED says what the missing Go was wanted for.
find_go() {
  if [[ -n "${ASMPVL_GO:-}" ]]; then
    command -v "$ASMPVL_GO" || die "ASMPVL_GO=$ASMPVL_GO is not an executable; point it at a go binary or unset it."
    return
  fi
  command -v go && return
  [[ -x /usr/local/go/bin/go ]] && { echo /usr/local/go/bin/go; return; }
  die "$1, and no 'go' was found.
  Install Go (https://go.dev/doc/install), put its bin directory on PATH (or set ASMPVL_GO=/path/to/go),
  and make sure the Go module proxy is reachable."
}

# The cache root: ASMPVL_TOOLS_CACHE, else asmpvl-tools under the user's cache directory.
tools_cache_root() { echo "${ASMPVL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/asmpvl-tools}"; }

# lock_build DIR: holds DIR.lock on file descriptor 9 until the script exits. One build at a time
# per cache: a second run waits for the first (up to 30 minutes) instead of racing it.
lock_build() {
  exec 9>"$1.lock"
  flock -n 9 && return
  log "another build of $1 is running; waiting for it (up to 30 minutes)"
  flock -w 1800 9 || die "timed out waiting for the build lock $1.lock; if no build is running, delete that file."
}
