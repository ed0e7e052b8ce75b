import { parseBindAddress, parseFlags, UsageError } from './flags';

const REQUIRED = ['--region', 'cn-hangzhou'];

describe('parseFlags', () => {
  test("kubebuilder's defaults: probes on :8081, metrics on the probe server, info, leader election on", () => {
    const flags = parseFlags(REQUIRED, {});
    expect(flags).toMatchObject({ health: { port: 8081 }, metrics: undefined, logLevel: 'info', leaderElect: true });
    expect(flags.leaseNamespace).toBeUndefined();
  });

  test("kubebuilder's flag names", () => {
    const flags = parseFlags(
      [
        '--health-probe-bind-address=:9440',
        '--metrics-bind-address=127.0.0.1:8080',
        '--zap-log-level=debug',
        '--leader-elect=false',
        '--leader-election-namespace=asm',
      ],
      {},
    );
    expect(flags).toMatchObject({
      health: { port: 9440 },
      metrics: { host: '127.0.0.1', port: 8080 },
      logLevel: 'debug',
      leaderElect: false,
      leaseNamespace: 'asm',
    });
    expect(flags.health.host).toBeUndefined();
  });

  test('--max-reconcile-wait: 30s unless given, and a duration or nothing', () => {
    expect(parseFlags(REQUIRED, {}).maxReconcileWaitMs).toBe(30_000);
    expect(parseFlags(['--max-reconcile-wait', '2m'], {}).maxReconcileWaitMs).toBe(120_000);
    expect(() => parseFlags(['--max-reconcile-wait', 'soon'], {})).toThrow(
      '--max-reconcile-wait soon: expected a duration like 30s, 5m or 1h',
    );
  });

  test('--metrics-bind-address=0 turns metrics off', () => {
    expect(parseFlags(['--metrics-bind-address', '0'], {}).metrics).toBe(false);
  });

  test('the earlier names stay aliases', () => {
    expect(parseFlags(['--health-port', '0', '--bind-address', '127.0.0.1', '--log-level', 'warn'], {})).toMatchObject({
      health: { host: '127.0.0.1', port: 0 },
      metrics: undefined,
      logLevel: 'warn',
    });
  });

  test('an http:// cloud endpoint off the host is allowed only with --allow-insecure-cloud-endpoint', () => {
    expect(parseFlags(['--cloud-endpoint', 'http://172.30.0.2:443'], {})).toMatchObject({
      cloudEndpoint: 'http://172.30.0.2:443',
      allowInsecureCloudEndpoint: false,
    });
    expect(parseFlags(['--allow-insecure-cloud-endpoint'], {}).allowInsecureCloudEndpoint).toBe(true);
  });

  test('POD_NAMESPACE is the Lease namespace when the flag is absent; an empty one is none', () => {
    expect(parseFlags([], { POD_NAMESPACE: 'asmpvl-system' }).leaseNamespace).toBe('asmpvl-system');
    expect(parseFlags([], { POD_NAMESPACE: '' }).leaseNamespace).toBeUndefined();
    expect(parseFlags(['--leader-election-namespace', 'x'], { POD_NAMESPACE: 'y' }).leaseNamespace).toBe('x');
  });

  test.each([
    [['--zap-log-level', 'trace'], '--zap-log-level trace: expected debug, info, warn, error'],
    [
      ['--health-probe-bind-address', '8081'],
      '--health-probe-bind-address 8081: expected [host]:port, e.g. :8081 or 127.0.0.1:8081',
    ],
    [['--metrics-bind-address', ':99999'], '--metrics-bind-address 99999: expected a port number (0 to 65535)'],
    [['--resync-period', 'soon'], '--resync-period soon: expected a duration like 30s, 5m or 1h'],
  ])('%j is a usage error naming the flag', (argv, message) => {
    expect(() => parseFlags(argv, {})).toThrow(new UsageError(message));
  });
});

test('parseBindAddress reads IPv6 hosts in brackets', () => {
  expect(parseBindAddress('x', '[::1]:8080')).toEqual({ host: '::1', port: 8080 });
});
