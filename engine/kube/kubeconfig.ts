/**
 * The kubeconfig as kubectl reads it, without the Kubernetes client: which files, merged how, and
 * what kubectl's flags choose in them. Pure but for reading the files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { KubeError } from './errors';

/** The kubectl-style flags that choose a cluster, and the environment they fall back to. */
export interface KubeSettings {
  /** --kubeconfig: this file alone. */
  kubeconfig?: string;
  /** KUBECONFIG as the caller read it: files joined by ':' (';' on Windows), merged in order. */
  kubeconfigEnv?: string;
  /** The home directory holding .kube/config, the last fallback. */
  home?: string;
  context?: string;
  /** --cluster and --user: another cluster or user of the kubeconfig for the chosen context. */
  cluster?: string;
  user?: string;
  /** -n/--namespace, for the namespaced objects the plugin uses (its Lease). */
  namespace?: string;
  /** --server/-s, --certificate-authority, --insecure-skip-tls-verify, --token: override the kubeconfig's. */
  server?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  token?: string;
  /** --as and --as-group: impersonation. */
  impersonateUser?: string;
  impersonateGroups?: string[];
  /** Wall time of one request; 0 means no limit, as with kubectl. */
  requestTimeoutMs: number;
  /** Told of each API request once it is answered or has failed (kubectl's -v=6 and up); bodies only when asked. */
  requestLog?: { onRequest: (event: KubeRequestEvent) => void; bodies: boolean };
}

/** One API request as it went: what kubectl logs at -v=6 (and its headers and bodies above). */
export interface KubeRequestEvent {
  method: string;
  url: string;
  /** 0 when no answer came (refused, timed out). */
  status: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  error?: string;
}

/** The kubeconfig files to read, as kubectl picks them, and whether a missing one is an error. */
export function kubeconfigFiles(settings: KubeSettings): { files: string[]; explicit: boolean; source: string } {
  if (settings.kubeconfig) return { files: [settings.kubeconfig], explicit: true, source: '--kubeconfig' };
  const fromEnv = (settings.kubeconfigEnv ?? '').split(delimiter).filter((file) => file !== '');
  if (fromEnv.length > 0) return { files: fromEnv, explicit: false, source: 'KUBECONFIG' };
  const home = settings.home ? [join(settings.home, '.kube', 'config')] : [];
  return { files: home, explicit: false, source: '~/.kube/config' };
}

/** The clusters, users and contexts of several kubeconfigs, merged as kubectl does. */
export interface MergedKubeconfig {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

/**
 * Merges kubeconfigs in order the way kubectl does: the first file to name a cluster, user or
 * context wins (ACK kubeconfigs all call theirs `kubernetes` and `kubernetes-admin`), and so does
 * the first current-context.
 */
export function mergeKubeconfigs(configs: MergedKubeconfig[]): MergedKubeconfig {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  return {
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    currentContext: configs.map((c) => c.currentContext).find((name) => name !== undefined && name !== ''),
  };
}

/** A kubeconfig file as YAML gives it (kubectl's field names). */
interface KubeconfigFile {
  clusters?: Array<{ name?: string; cluster?: Record<string, unknown> }>;
  users?: Array<{ name?: string; user?: Record<string, unknown> }>;
  contexts?: Array<{ name?: string; context?: Record<string, unknown> }>;
  'current-context'?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The clusters, users and contexts of one kubeconfig file, in client-node's shapes (its own
 * newClusters/newUsers/newContexts mapping), with relative file paths resolved against the file's
 * directory as kubectl does. Read here rather than by client-node so that a command can read the
 * kubeconfig without loading the Kubernetes client at all (see direct-read.ts).
 */
export function parseKubeconfig(yamlText: string, file: string): MergedKubeconfig {
  const doc = (parse(yamlText) ?? {}) as KubeconfigFile;
  const base = dirname(file);
  const path = (value: unknown) => {
    const given = text(value);
    return given === undefined || isAbsolute(given) ? given : resolve(base, given);
  };
  const named = <T extends { name?: string }>(list: T[] | undefined, kind: string): Array<T & { name: string }> =>
    (list ?? []).map((item, i) => {
      if (!item.name) throw new KubeError(`${file}: ${kind}[${i}].name is missing`);
      return item as T & { name: string };
    });
  const clusters = named(doc.clusters, 'clusters').map(({ name, cluster = {} }, i): Cluster => {
    const server = text(cluster.server);
    if (!server) throw new KubeError(`${file}: clusters[${i}].cluster.server is missing`);
    return {
      name,
      server: server.replace(/\/$/, ''),
      caData: text(cluster['certificate-authority-data']),
      caFile: path(cluster['certificate-authority']),
      skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
      tlsServerName: text(cluster['tls-server-name']),
      proxyUrl: text(cluster['proxy-url']),
    };
  });
  const users = named(doc.users, 'users').map(({ name, user = {} }): User => {
    const tokenFile = path(user['token-file']);
    return {
      name,
      certData: text(user['client-certificate-data']),
      certFile: path(user['client-certificate']),
      keyData: text(user['client-key-data']),
      keyFile: path(user['client-key']),
      token: text(user.token) ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined),
      username: text(user.username),
      password: text(user.password),
      impersonateUser: text(user.as),
      exec: user.exec as object | undefined,
      authProvider: user['auth-provider'] as object | undefined,
    };
  });
  const contexts = named(doc.contexts, 'contexts').map(({ name, context = {} }): Context => ({
    name,
    cluster: text(context.cluster) ?? '',
    user: text(context.user) ?? '',
    namespace: text(context.namespace),
  }));
  return { clusters, users, contexts, currentContext: text(doc['current-context']) };
}

function readKubeconfig(file: string, explicit: boolean, source: string): MergedKubeconfig | undefined {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) {
    // kubectl skips a missing file in KUBECONFIG, and refuses a missing --kubeconfig.
    if (explicit) throw new KubeError(`${source} ${file}: no such file`);
    return undefined;
  }
  if (!stat.isFile()) throw new KubeError(`${source} ${file}: not a file; give the path of a kubeconfig file`);
  try {
    return parseKubeconfig(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof KubeError) throw error;
    throw new KubeError(`cannot load the kubeconfig ${file}: ${(error as Error).message}`);
  }
}

/** The context names of the kubeconfig kubectl would read (for completion); [] when there is none. */
export function kubeconfigContexts(settings: KubeSettings): string[] {
  const { files, explicit, source } = kubeconfigFiles(settings);
  return mergeKubeconfigs(
    files.map((file) => readKubeconfig(file, explicit, source)).filter((c) => c !== undefined),
  ).contexts.map((context) => context.name);
}

const names = (items: Array<{ name: string }>) => items.map((item) => item.name).join(', ') || 'none';

/** What the flags and the kubeconfig choose: one context, its cluster and its user, flags applied. */
export interface ResolvedKubeconfig {
  context: Context;
  cluster: Cluster;
  user: User;
}

/**
 * Reads the kubeconfig as kubectl does (--kubeconfig alone, else every file in KUBECONFIG merged,
 * else ~/.kube/config) and applies kubectl's flags to the chosen context. client-node would fall
 * back to http://localhost:8080 when nothing is found; kubectl refuses, and so do we.
 */
export function resolveKubeconfig(settings: KubeSettings): ResolvedKubeconfig {
  const { files, explicit, source } = kubeconfigFiles(settings);
  const merged = mergeKubeconfigs(
    files.map((file) => readKubeconfig(file, explicit, source)).filter((c) => c !== undefined),
  );
  if (merged.contexts.length === 0 && !settings.server) {
    const where = files.length > 0 ? `${source} (${files.join(delimiter)})` : source;
    throw new KubeError(
      `no kubeconfig found: ${where} has no context; set KUBECONFIG or pass --kubeconfig (the plugin runs against the ASM instance's kubeconfig)`,
    );
  }
  if ((settings.impersonateGroups?.length ?? 0) > 1)
    // client-node sends headers through fetch, which joins repeated values into one (one group "a, b").
    throw new KubeError('--as-group: give it once; several groups in one request are not supported yet');
  const context = chooseContext(merged, settings.context ?? merged.currentContext, settings);
  const cluster = chooseCluster(merged, settings.cluster ?? context.cluster, settings);
  const user = chooseUser(merged, settings.user ?? context.user, settings);
  return {
    context: { ...context, cluster: cluster.name, user: user.name, namespace: settings.namespace ?? context.namespace },
    cluster,
    user,
  };
}

function chooseContext(merged: MergedKubeconfig, name: string | undefined, settings: KubeSettings): Context {
  if (name === undefined) {
    // kubectl --server URL with no kubeconfig: a context made of the flags alone.
    if (settings.server) return { name: 'flags', cluster: 'flags', user: 'flags' };
    throw new KubeError(`the kubeconfig sets no current-context: pass --context (have: ${names(merged.contexts)})`);
  }
  const context = merged.contexts.find((c) => c.name === name);
  if (context) return context;
  throw new KubeError(
    `${settings.context ? '--context ' : 'current-context '}${name}: no such context in the kubeconfig (have: ${names(merged.contexts)})`,
  );
}

function chooseCluster(merged: MergedKubeconfig, name: string, settings: KubeSettings): Cluster {
  const found = merged.clusters.find((c) => c.name === name);
  if (!found && !settings.server)
    throw new KubeError(
      `${settings.cluster ? '--cluster ' : 'cluster '}${name}: no such cluster in the kubeconfig (have: ${names(merged.clusters)})`,
    );
  let cluster: Cluster = {
    ...(found ?? { name, skipTLSVerify: false }),
    server: settings.server ?? found?.server ?? '',
  };
  if (settings.certificateAuthority) {
    if (!existsSync(settings.certificateAuthority))
      throw new KubeError(`--certificate-authority ${settings.certificateAuthority}: no such file`);
    cluster = { ...cluster, caFile: settings.certificateAuthority, caData: undefined };
  }
  if (settings.insecureSkipTlsVerify)
    cluster = { ...cluster, skipTLSVerify: true, caFile: undefined, caData: undefined };
  return cluster;
}

function chooseUser(merged: MergedKubeconfig, name: string, settings: KubeSettings): User {
  const found = merged.users.find((u) => u.name === name);
  if (!found && !settings.token && !settings.server)
    throw new KubeError(
      `${settings.user ? '--user ' : 'user '}${name}: no such user in the kubeconfig (have: ${names(merged.users)})`,
    );
  let user: User = found ?? { name };
  // A bearer token replaces the kubeconfig's way of logging in, as with kubectl --token.
  if (settings.token) user = { name: user.name, token: settings.token };
  if (settings.impersonateUser) user = { ...user, impersonateUser: settings.impersonateUser };
  return user;
}
