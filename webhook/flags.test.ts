import { parseByteSize, parseFlags, UsageError } from './flags';

const TLS = ['--tls-cert-file', 'tls.crt', '--tls-private-key-file', 'tls.key'];

describe('parseFlags', () => {
  test('defaults: the connection caps, the idle timeout and the large-body limits', () => {
    expect(parseFlags(TLS)).toEqual({
      help: false,
      port: 9443,
      certFile: 'tls.crt',
      keyFile: 'tls.key',
      zonePolicy: 'overlap',
      logLevel: 'info',
      maxConnections: 512,
      maxConnectionsPerSource: 128,
      idleBeforeReviewMs: 5_000,
      largeBodyBudgetBytes: 12 * 1024 * 1024,
      largeReviewHeapMb: 160,
    });
  });

  test('each knob as written on the command line', () => {
    const flags = parseFlags([
      ...TLS,
      '--max-connections=64',
      '--max-connections-per-source=8',
      '--idle-before-review-timeout=1m30s',
      '--large-body-budget=24Mi',
      '--large-review-heap=131072Ki',
    ]);
    expect(flags).toMatchObject({
      maxConnections: 64,
      maxConnectionsPerSource: 8,
      idleBeforeReviewMs: 90_000,
      largeBodyBudgetBytes: 24 * 1024 * 1024,
      largeReviewHeapMb: 128,
    });
  });

  test.each([
    [['--max-connections', '0'], '--max-connections 0: expected a whole number of 1 or more'],
    [['--max-connections', '8', '--max-connections-per-source', '9'], 'is more than --max-connections 8'],
    [['--idle-before-review-timeout', 'soon'], '--idle-before-review-timeout soon: expected a duration'],
    [['--large-body-budget', '4Mi'], '--large-body-budget 4Mi: expected a size of at least 8Mi'],
    [['--large-review-heap', '1.5Gi'], '--large-review-heap 1.5Gi: expected a size'],
    [['--port', '70000'], '--port must be a port number, got 70000'],
    [['--zone-policy', 'loose'], '--zone-policy must be overlap or strict, got loose'],
    [['--no-such-flag'], "Unknown option '--no-such-flag'"],
  ])('%j is refused with a message naming it', (args, message) => {
    expect(() => parseFlags([...TLS, ...args])).toThrow(UsageError);
    expect(() => parseFlags([...TLS, ...args])).toThrow(message);
  });

  test('the certificate and key are required, except for --help', () => {
    expect(() => parseFlags([])).toThrow('--tls-cert-file and --tls-private-key-file are required');
    expect(parseFlags(['--help']).help).toBe(true);
  });
});

test('parseByteSize reads binary quantities', () => {
  expect([parseByteSize('512'), parseByteSize('64Ki'), parseByteSize('12Mi'), parseByteSize('1Gi')]).toEqual([
    512,
    64 * 1024,
    12 * 1024 * 1024,
    1024 ** 3,
  ]);
  expect([parseByteSize('12M'), parseByteSize('-1'), parseByteSize('')]).toEqual([undefined, undefined, undefined]);
});
