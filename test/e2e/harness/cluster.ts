import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts } from '../../support/ports';
import { createCertificateAuthority, createSigningKey, issueCertificate, type KeyPair } from './certificates';
import { ServerProcess } from './process';

/** Paths of the pinned binaries built by test/e2e/tools/build.sh. */
export interface ClusterBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  helm: string;
}

/** A running etcd + kube-apiserver pair on loopback, and how to reach it as cluster admin. */
export interface Cluster {
  /** Working directory: certificates, logs, etcd data, kubeconfig. Deleted by stop(). */
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Kubeconfig with an embedded client certificate in group system:masters. */
  kubeconfigPath: string;
  /** The CA that signed the API server's serving certificate and the admin client certificate. */
  certificateAuthority: KeyPair;
  /** Stops kube-apiserver, then etcd, waits for both to exit and deletes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How long to wait for etcd health and the API server's /readyz together. */
  readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 90_000;
const APISERVER_GRACE_MS = 20_000;
const ETCD_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;
const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';

/** The four binaries in `binDir`; throws naming the missing one and how to get it. */
export function binariesIn(binDir: string): ClusterBinaries {
  const binaries = {
    etcd: join(binDir, 'etcd'),
    kubeApiserver: join(binDir, 'kube-apiserver'),
    kubectl: join(binDir, 'kubectl'),
    helm: join(binDir, 'helm'),
  };
  for (const path of Object.values(binaries)) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new Error(`${path} is missing or not executable; run test/e2e/tools/build.sh to build the e2e binaries.`);
    }
  }
  return binaries;
}

/**
 * Starts etcd and kube-apiserver on free loopback ports with freshly generated certificates, RBAC
 * and the default admission plugins (so admission webhooks at https://127.0.0.1:<port> work),
 * and resolves once /readyz answers ok. On any failure everything started is stopped and the
 * working directory deleted before the error is thrown.
 */
export async function startCluster(binaries: ClusterBinaries, options: StartOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-e2e-'));
  const reaper = startReaper(dir);
  const servers: ServerProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopAll(servers, dir, reaper));
  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    const [etcdClientPort, etcdPeerPort, apiserverPort] = await freePorts(3);
    const pki = writePki(dir);
    const etcd = launch(servers, dir, 'etcd', binaries.etcd, etcdArgs(dir, etcdClientPort!, etcdPeerPort!));
    await waitUntil(deadline, etcd, () => etcdHealthy(etcdClientPort!));
    const apiserver = launch(
      servers,
      dir,
      'kube-apiserver',
      binaries.kubeApiserver,
      apiserverArgs(dir, etcdClientPort!, apiserverPort!),
    );
    const server = `https://127.0.0.1:${apiserverPort}`;
    await waitUntil(deadline, apiserver, () => apiserverReady(server, pki));
    const kubeconfigPath = writeKubeconfig(dir, server, pki);
    return { dir, server, kubeconfigPath, certificateAuthority: pki.ca, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Pki {
  ca: KeyPair;
  admin: KeyPair;
}

function writePki(dir: string): Pki {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  const ca = createCertificateAuthority('asmpvl-e2e-ca');
  const serving = issueCertificate(ca, {
    commonName: 'kube-apiserver',
    usage: 'server',
    ipAddresses: ['127.0.0.1', '10.0.0.1'],
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
  });
  // Kubernetes maps the O= of a client certificate to groups; system:masters bypasses RBAC.
  const admin = issueCertificate(ca, {
    commonName: 'asmpvl-e2e-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const serviceAccount = createSigningKey();
  writeFileSync(join(pkiDir, 'ca.crt'), ca.certificatePem);
  writeFileSync(join(pkiDir, 'ca.key'), ca.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(pkiDir, 'apiserver.crt'), serving.certificatePem);
  writeFileSync(join(pkiDir, 'apiserver.key'), serving.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(pkiDir, 'service-account.pub'), serviceAccount.publicKeyPem);
  writeFileSync(join(pkiDir, 'service-account.key'), serviceAccount.privateKeyPem, { mode: 0o600 });
  return { ca, admin };
}

function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=e2e',
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    // Throwaway data: skipping fsync makes every write much faster on a shared disk.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

function apiserverArgs(dir: string, etcdPort: number, securePort: number): string[] {
  const pki = (file: string) => join(dir, 'pki', file);
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    // Nothing outside this machine reaches the server, and the reconciler of the kubernetes
    // Service's endpoints refuses a loopback address: turn it off rather than advertise another.
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    `--secure-port=${securePort}`,
    `--cert-dir=${join(dir, 'pki')}`,
    `--tls-cert-file=${pki('apiserver.crt')}`,
    `--tls-private-key-file=${pki('apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${pki('service-account.pub')}`,
    `--service-account-signing-key-file=${pki('service-account.key')}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--authorization-mode=RBAC',
    '--profiling=false',
  ];
}

function launch(servers: ServerProcess[], dir: string, name: string, binary: string, args: string[]): ServerProcess {
  const server = new ServerProcess(name, binary, args, join(dir, `${name}.log`));
  servers.push(server);
  // The reaper reads this file if the runner dies without tearing down.
  if (server.pid !== undefined) appendFileSync(join(dir, 'pids'), `${server.pid}\n`);
  return server;
}

/** Polls `probe` until it returns true; fails early, with the log, if `server` exits. */
async function waitUntil(deadline: number, server: ServerProcess, probe: () => Promise<boolean>): Promise<void> {
  while (Date.now() < deadline) {
    const exit = server.exitStatus;
    if (exit) {
      throw new Error(
        `${server.name} exited (code ${exit.code}, signal ${exit.signal}) while starting. Last log lines:\n${server.logTail()}`,
      );
    }
    if (await probe()) return;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`${server.name} was not ready before the deadline. Last log lines:\n${server.logTail()}`);
}

function etcdHealthy(port: number): Promise<boolean> {
  return probe((done) => httpRequest({ host: '127.0.0.1', port, path: '/health', timeout: PROBE_TIMEOUT_MS }, done));
}

function apiserverReady(server: string, pki: Pki): Promise<boolean> {
  const url = new URL('/readyz', server);
  const tls: RequestOptions = {
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    ca: pki.ca.certificatePem,
    cert: pki.admin.certificatePem,
    key: pki.admin.privateKeyPem,
    timeout: PROBE_TIMEOUT_MS,
  };
  return probe((done) => httpsRequest(tls, done));
}

type Responder = (response: IncomingMessage) => void;

/** True if the request answers 200; false on any other status, error or timeout. */
function probe(makeRequest: (done: Responder) => ClientRequest): Promise<boolean> {
  return new Promise((resolve) => {
    const request = makeRequest((response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.end();
  });
}

function writeKubeconfig(dir: string, server: string, pki: Pki): string {
  const base64 = (pem: string) => Buffer.from(pem).toString('base64');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'asmpvl-e2e', cluster: { server, 'certificate-authority-data': base64(pki.ca.certificatePem) } },
    ],
    users: [
      {
        name: 'asmpvl-e2e-admin',
        user: {
          'client-certificate-data': base64(pki.admin.certificatePem),
          'client-key-data': base64(pki.admin.privateKeyPem),
        },
      },
    ],
    contexts: [{ name: 'asmpvl-e2e', context: { cluster: 'asmpvl-e2e', user: 'asmpvl-e2e-admin' } }],
    'current-context': 'asmpvl-e2e',
  };
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, stringify(kubeconfig), { mode: 0o600 });
  return path;
}

function startReaper(dir: string): ChildProcess {
  const reaper = spawn(process.execPath, [join(__dirname, 'reaper.cjs'), String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  reaper.unref();
  return reaper;
}

// The API server first: stopping etcd under it would make it spend its grace period retrying.
async function stopAll(servers: ServerProcess[], dir: string, reaper: ChildProcess): Promise<void> {
  const graceMs = (server: ServerProcess) => (server.name === 'kube-apiserver' ? APISERVER_GRACE_MS : ETCD_GRACE_MS);
  try {
    for (const server of [...servers].reverse()) await server.stop(graceMs(server));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    reaper.kill('SIGTERM');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
