import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { directReadUnsupported } from './direct-read';
import { kubeconfigFiles, mergeKubeconfigs, parseKubeconfig, resolveKubeconfig } from './kubeconfig';

const dir = mkdtempSync(join(tmpdir(), 'asmpvl-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ACK-style kubeconfig: every one names its cluster `kubernetes` and its user `kubernetes-admin`. */
function ack(server: string, extra: Record<string, unknown> = {}): string {
  return stringify({
    clusters: [{ name: 'kubernetes', cluster: { server: `${server}/`, 'certificate-authority': 'ca.crt' } }],
    users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' } }],
    contexts: [{ name: `ctx-${server.slice(-4)}`, context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
    'current-context': `ctx-${server.slice(-4)}`,
    ...extra,
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const base = { requestTimeoutMs: 1000 };

describe('kubeconfig as kubectl reads it', () => {
  it('maps kubectl field names to the client shapes, paths relative to the file', () => {
    const parsed = parseKubeconfig(ack('https://a:1111'), '/etc/kube/config');
    expect(parsed.clusters).toEqual([
      expect.objectContaining({ name: 'kubernetes', server: 'https://a:1111', caFile: '/etc/kube/ca.crt' }),
    ]);
    expect(parsed.users[0]).toMatchObject({ certData: 'Y2VydA==', keyData: 'a2V5' });
    expect(parsed.currentContext).toBe('ctx-1111');
  });

  it('says which entry lacks what', () => {
    expect(() => parseKubeconfig(stringify({ clusters: [{ name: 'x', cluster: {} }] }), '/k')).toThrow(
      '/k: clusters[0].cluster.server is missing',
    );
  });

  it('picks files as kubectl: --kubeconfig alone, else KUBECONFIG in order, else ~/.kube/config', () => {
    expect(kubeconfigFiles({ ...base, kubeconfig: '/a', kubeconfigEnv: '/b:/c' }).files).toEqual(['/a']);
    expect(kubeconfigFiles({ ...base, kubeconfigEnv: '/b::/c', home: '/h' }).files).toEqual(['/b', '/c']);
    expect(kubeconfigFiles({ ...base, home: '/h' }).files).toEqual(['/h/.kube/config']);
  });

  it('merges with the first name and the first current-context winning', () => {
    const merged = mergeKubeconfigs([
      parseKubeconfig(ack('https://a:1111'), '/1'),
      parseKubeconfig(ack('https://b:2222'), '/2'),
    ]);
    expect(merged.clusters.map((c) => c.server)).toEqual(['https://a:1111']);
    expect(merged.contexts.map((c) => c.name)).toEqual(['ctx-1111', 'ctx-2222']);
    expect(merged.currentContext).toBe('ctx-1111');
  });

  it('resolves the flags on the chosen context, skipping missing KUBECONFIG files', () => {
    const env = [join(dir, 'missing'), file('one', ack('https://a:1111')), file('two', ack('https://b:2222'))].join(
      ':',
    );
    const resolved = resolveKubeconfig({
      ...base,
      kubeconfigEnv: env,
      token: 't0k',
      impersonateUser: 'jane',
      namespace: 'ops',
    });
    expect(resolved.cluster.server).toBe('https://a:1111');
    expect(resolved.user).toEqual({ name: 'kubernetes-admin', token: 't0k', impersonateUser: 'jane' });
    expect(resolved.context.namespace).toBe('ops');
    const insecure = resolveKubeconfig({
      ...base,
      kubeconfigEnv: env,
      server: 'https://c:3',
      insecureSkipTlsVerify: true,
    });
    expect(insecure.cluster).toMatchObject({ server: 'https://c:3', skipTLSVerify: true, caFile: undefined });
    expect(() => resolveKubeconfig({ ...base, kubeconfigEnv: env, context: 'nope' })).toThrow(
      '--context nope: no such context in the kubeconfig (have: ctx-1111, ctx-2222)',
    );
    expect(() => resolveKubeconfig({ ...base, kubeconfigEnv: env, impersonateGroups: ['a', 'b'] })).toThrow(
      '--as-group',
    );
  });

  it('with nothing to read, says so rather than inventing localhost:8080', () => {
    expect(() => resolveKubeconfig({ ...base, home: dir })).toThrow(
      `no kubeconfig found: ~/.kube/config (${join(dir, '.kube', 'config')}) has no context`,
    );
  });
});

describe('directReadUnsupported', () => {
  const resolved = resolveKubeconfig({ ...base, kubeconfig: file('plain', ack('https://a:1111')) });
  it('reads directly only what needs no client: certificates, tokens, passwords over https', () => {
    expect(directReadUnsupported(resolved, false)).toBeUndefined();
    expect(directReadUnsupported(resolved, true)).toBe('a proxy is configured');
    expect(
      directReadUnsupported({ ...resolved, user: { ...resolved.user, exec: { command: 'aliyun' } as never } }, false),
    ).toBe('the kubeconfig user logs in with a plugin');
    expect(directReadUnsupported({ ...resolved, cluster: { ...resolved.cluster, server: 'http://a' } }, false)).toBe(
      'the server is not https',
    );
  });
});
