// Last line of defence against strays: if the test runner dies without running its teardown
// (SIGKILL, a crash, an out-of-memory kill), this detached watcher stops the servers it started
// and deletes their working directory. Plain CommonJS so that any Node can run it unbuilt.
//
// Usage: node reaper.cjs <runner pid> <working dir>
// The runner lists the process-group ids of its servers, one a line, in <working dir>/pids.
// A clean teardown stops the servers itself, deletes the directory and sends this SIGTERM.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [runnerPid, dir] = [Number(process.argv[2]), process.argv[3]];
const POLL_MS = 500;
const GRACE_MS = 15_000;

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => {}); // a terminal Ctrl-C is for the runner, not for us

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function serverGroups() {
  try {
    return fs
      .readFileSync(path.join(dir, 'pids'), 'utf8')
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0);
  } catch {
    return [];
  }
}

function signalAll(groups, signal) {
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

async function reap() {
  // The API server first, so it does not spend its grace period retrying a vanished etcd.
  const groups = serverGroups().reverse();
  signalAll(groups, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (groups.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  signalAll(groups, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const timer = setInterval(() => {
  if (alive(runnerPid)) return;
  clearInterval(timer);
  void reap();
}, POLL_MS);
