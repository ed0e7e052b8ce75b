import { leaseProblem, watchProblem } from './diagnosis';

const SERVER = 'https://127.0.0.1:6443';
const LEASE = { namespace: 'asmpvl-system', name: 'asmpvl-controller' };
// client-node's ApiException as it arrives: the HTTP status in `code`, the Status text in `body`.
const answered = (code: number, message: string) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });

describe('leaseProblem', () => {
  test('a 404 on create is the namespace missing, with the flag to pass', () => {
    const text = leaseProblem(answered(404, 'namespaces "asmpvl-system" not found'), LEASE, 'creating', SERVER);
    expect(text).toBe(
      'Lease asmpvl-system/asmpvl-controller: namespace asmpvl-system does not exist (namespaces "asmpvl-system" not found): ' +
        'create it, or pass --leader-election-namespace with a namespace that exists',
    );
  });

  test('a 403 names the verb and the grant', () => {
    const text = leaseProblem(answered(403, 'leases.coordination.k8s.io is forbidden'), LEASE, 'reading', SERVER);
    expect(text).toContain('forbidden to get leases in namespace asmpvl-system');
    expect(text).toContain('grant this identity get, create and update on coordination.k8s.io leases there');
  });

  test('no answer at all is the API server unreachable, naming it', () => {
    const text = leaseProblem(
      new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }),
      LEASE,
      'reading',
      SERVER,
    );
    expect(text).toBe(
      `Lease asmpvl-system/asmpvl-controller: cannot reach the API server at ${SERVER} (connect ECONNREFUSED): ` +
        'check --kubeconfig and --context, and that the server is up and reachable from here',
    );
  });
});

describe('watchProblem', () => {
  test('a 404 is the CRD not installed', () => {
    expect(watchProblem(answered(404, 'the server could not find the requested resource'), SERVER)).toContain(
      'install the ASMPvlConfig CRD (charts/asmpvl/crds)',
    );
  });

  test('a 403 names the grants', () => {
    expect(watchProblem(answered(403, 'forbidden'), SERVER)).toContain(
      'grant this identity get, list, watch and update on asmpvlconfigs.istio.alibabacloud.com',
    );
  });
});
