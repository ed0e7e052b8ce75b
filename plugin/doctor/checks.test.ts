import {
  anyFailed,
  apiServerFindings,
  clusterFinding,
  crdOwnerFinding,
  credentialsFinding,
  type Finding,
  formatFinding,
  kubeconfigFinding,
  objectFinding,
  privateLinkFinding,
  summaryLine,
  webhookFinding,
  zonesFinding,
} from './checks';

const ok = <T>(value: T) => ({ ok: true as const, value });
const failed = (error: {
  message: string;
  httpStatus?: number;
  code?: string;
  requestId?: string;
  notFound?: boolean;
}) => ({ ok: false as const, error });
const SERVER = 'https://asm.example.com:6443';
const REGION = { id: 'cn-hangzhou', source: '--region' as const };

describe('the Kubernetes side', () => {
  test('kubeconfig: the context and server, or what failed and where to get one', () => {
    expect(kubeconfigFinding(ok({ context: 'asm-prod', server: SERVER }))).toEqual({
      check: 'kubeconfig',
      title: 'kubeconfig and context',
      status: 'ok',
      message: `context asm-prod, server ${SERVER}`,
    });
    const bad = kubeconfigFinding(
      failed({ message: '--context asm-dev: no such context in the kubeconfig (have: asm-prod)' }),
    );
    expect(bad).toMatchObject({
      status: 'fail',
      message: '--context asm-dev: no such context in the kubeconfig (have: asm-prod)',
    });
    expect(bad.fix).toContain('--kubeconfig');
  });

  test.each([
    ['the CRD is there', ok(true), ['ok', 'ok']],
    ['the CRD is missing', ok(false), ['ok', 'fail']],
    [
      'no answer at all',
      failed({ message: 'reading the CRD: cannot reach the API server at x (ECONNREFUSED)' }),
      ['fail', 'skip'],
    ],
    [
      '401: credentials refused',
      failed({ message: 'refused our credentials (401)', httpStatus: 401 }),
      ['fail', 'skip'],
    ],
    ['403: answers, but may not read CRDs', failed({ message: 'forbidden (403)', httpStatus: 403 }), ['ok', 'warn']],
  ])('API server and CRD: %s', (_, outcome, statuses) => {
    expect(apiServerFindings(SERVER, outcome).map((finding) => finding.status)).toEqual(statuses);
  });

  test('a missing CRD says to install the chart', () => {
    expect(apiServerFindings(SERVER, ok(false))[1].fix).toBe(
      'install the chart, which brings the CRD and the webhook: helm install asmpvl charts/asmpvl -n asmpvl-system --create-namespace',
    );
  });

  test('the object: its clusters and status, or a warning when there is none yet', () => {
    expect(objectFinding(ok({ clusterIds: ['c1', 'c2'], zones: [], status: 'Available' })).message).toBe(
      '2 cluster(s) in the spec, status Available',
    );
    expect(objectFinding(ok(undefined))).toMatchObject({
      status: 'warn',
      fix: 'kubectl asmpvl connect <clusterId> --vswitch vsw-… creates it',
    });
  });

  test.each([
    [
      'refused by the webhook',
      {
        accepted: false,
        httpStatus: 400,
        message:
          'dry-run create: admission webhook "validate.asmpvl.istio.alibabacloud.com" denied the request: ASMPvlConfig "default" is invalid: …',
      },
      'ok',
    ],
    ['accepted: no webhook, or one failing open', { accepted: true, message: '' }, 'fail'],
    [
      '409 AlreadyExists comes after admission: let through',
      { accepted: false, httpStatus: 409, reason: 'AlreadyExists', message: 'asmpvlconfigs "default" already exists' },
      'fail',
    ],
    [
      'configured but down',
      {
        accepted: false,
        httpStatus: 500,
        reason: 'InternalError',
        message:
          'Internal error occurred: failed calling webhook "validate.asmpvl.istio.alibabacloud.com": connection refused',
      },
      'fail',
    ],
    [
      'refused by RBAC, not by the webhook',
      { accepted: false, httpStatus: 403, reason: 'Forbidden', message: 'forbidden' },
      'warn',
    ],
    [
      'a webhook that refuses dry runs',
      { accepted: false, httpStatus: 400, message: 'admission webhook "other.example.com" does not support dry run' },
      'warn',
    ],
  ])('webhook: %s', (_, result, status) => {
    expect(webhookFinding(ok(result)).status).toBe(status);
  });

  test('a webhook that is configured but down is named as such, since it blocks every write', () => {
    const finding = webhookFinding(
      ok({ accepted: false, httpStatus: 500, message: 'failed calling webhook "x": connection refused' }),
    );
    expect(finding.message).toMatch(
      /^the webhook is configured but not answering, so every write of asmpvlconfig\/default fails: /,
    );
  });
});

describe('the cloud side', () => {
  test('credentials: a signed read answered, with its request id and where the region came from', () => {
    expect(
      credentialsFinding({ id: 'cn-hangzhou', source: 'the zones of the spec' }, ok({ requestId: 'R1' })).message,
    ).toBe('a read call in cn-hangzhou (from the zones of the spec) was signed and answered (request id R1)');
  });

  test('credentials: no region, refused keys, no keys at all, no VPC permission', () => {
    expect(credentialsFinding(undefined, undefined)).toMatchObject({
      status: 'fail',
      fix: 'pass --region (e.g. cn-hangzhou) or set ALIBABA_CLOUD_REGION_ID',
    });
    expect(credentialsFinding(REGION, failed({ message: 'm', code: 'InvalidAccessKeyId.NotFound' })).status).toBe(
      'fail',
    );
    expect(credentialsFinding(REGION, failed({ message: 'm', code: 'SignatureDoesNotMatch' })).status).toBe('fail');
    expect(credentialsFinding(REGION, failed({ message: 'm', code: 'CredentialsUnavailable' })).fix).toContain(
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
    );
    expect(credentialsFinding(REGION, failed({ message: 'm', code: 'Forbidden.RAM' }))).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('AliyunVPCReadOnlyAccess'),
    });
  });

  test('PrivateLink: opened, not opened (either way the API says it), or unknown', () => {
    expect(privateLinkFinding(ok(true)).status).toBe('ok');
    expect(privateLinkFinding(ok(false))).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('OpenPrivateLinkService'),
    });
    expect(privateLinkFinding(failed({ message: 'm', code: 'NeedOpenProduct' })).status).toBe('fail');
    expect(privateLinkFinding(failed({ message: 'throttled', code: 'Throttling.User' })).status).toBe('warn');
  });

  test('zones: names exactly the zones PrivateLink does not serve, and the ones it does', () => {
    expect(
      zonesFinding(['cn-hangzhou-j', 'cn-hangzhou-k', 'cn-hangzhou-j'], ok(['cn-hangzhou-j', 'cn-hangzhou-k'])).message,
    ).toBe('cn-hangzhou-j, cn-hangzhou-k: all supported');
    expect(zonesFinding(['cn-hangzhou-a', 'cn-hangzhou-j'], ok(['cn-hangzhou-k', 'cn-hangzhou-j']))).toMatchObject({
      status: 'fail',
      message:
        'PrivateLink does not serve load balancers in cn-hangzhou-a (supported here: cn-hangzhou-j, cn-hangzhou-k)',
    });
  });

  test.each([
    ['running', ok({ name: 'ack-hz-1', state: 'running', regionId: 'cn-hangzhou' }), 'ok', 'ack-hz-1, running'],
    ['still initial', ok({ name: 'ack-hz-1', state: 'initial', regionId: 'cn-hangzhou' }), 'warn', 'ack-hz-1, initial'],
    [
      'in another region',
      ok({ name: 'ack-sh', state: 'running', regionId: 'cn-shanghai' }),
      'fail',
      'ack-sh, running, but in cn-shanghai, not cn-hangzhou',
    ],
    [
      'not found',
      failed({
        message:
          'ACK DescribeClusterDetail for c1 failed: ErrorClusterNotFound (request id R9): The specified cluster c1 does not exist.',
        notFound: true,
        requestId: 'R9',
      }),
      'fail',
      'not found: ACK DescribeClusterDetail for c1 failed: ErrorClusterNotFound (request id R9): The specified cluster c1 does not exist.',
    ],
    [
      'forbidden',
      failed({ message: 'Forbidden', code: 'Forbidden.RAM', requestId: 'R2' }),
      'fail',
      'cannot read it: Forbidden (request id R2)',
    ],
  ])('cluster %s', (_, outcome, status, message) => {
    const finding = clusterFinding('c1', 'cn-hangzhou', outcome);
    expect(finding).toMatchObject({ check: 'cluster/c1', title: 'ACK cluster c1 visible', status, message });
  });
});

describe('the report', () => {
  const finding: Finding = {
    check: 'crd',
    title: 'ASMPvlConfig CRD installed',
    status: 'fail',
    message: 'not installed',
    fix: 'helm install …',
  };

  test('on a terminal: ✓ ! ✗ marks; elsewhere: words a log can grep', () => {
    expect(formatFinding(finding, { symbols: true })).toBe(
      '✗ ASMPvlConfig CRD installed: not installed\n  fix: helm install …\n',
    );
    expect(formatFinding(finding, { symbols: false })).toBe(
      'FAIL ASMPvlConfig CRD installed: not installed\n     fix: helm install …\n',
    );
    expect(formatFinding({ ...finding, status: 'ok', fix: undefined }, { symbols: false })).toBe(
      'ok   ASMPvlConfig CRD installed: not installed\n',
    );
  });

  test('colour only paints the mark', () => {
    expect(formatFinding({ ...finding, status: 'warn' }, { symbols: true, color: true })).toBe(
      '\x1b[33m!\x1b[0m ASMPvlConfig CRD installed: not installed\n  fix: helm install …\n',
    );
  });

  test('an ok finding never shows a fix', () => {
    expect(formatFinding({ ...finding, status: 'ok' }, { symbols: true })).toBe(
      '✓ ASMPvlConfig CRD installed: not installed\n',
    );
  });

  test('summary and exit: warnings pass, a failure fails', () => {
    const findings: Finding[] = [
      { ...finding, status: 'ok' },
      { ...finding, status: 'warn' },
      { ...finding, status: 'skip' },
    ];
    expect(summaryLine(findings)).toBe('1 ok, 1 warning(s), 0 failed, 1 skipped');
    expect(anyFailed(findings)).toBe(false);
    expect(anyFailed([...findings, finding])).toBe(true);
  });
});

describe('the CRD owner', () => {
  test('asmpvl’s own CRD is ok', () => {
    expect(crdOwnerFinding(ok({ ours: true, pruned: [] }))).toMatchObject({ check: 'crd-owner', status: 'ok' });
  });

  test('a foreign CRD that prunes asmpvl fields is named, with what to do instead of replacing it', () => {
    const finding = crdOwnerFinding(ok({ ours: false, pruned: ['spec.deletionPolicy', 'status.conditions'] }));
    expect(finding).toMatchObject({
      status: 'warn',
      message:
        'not installed by asmpvl (no label app.kubernetes.io/part-of=asmpvl), and its schema prunes spec.deletionPolicy, status.conditions',
    });
    expect(finding.fix).toContain('never apply charts/asmpvl/crds/ over it');
    expect(finding.fix).toContain('asmpvl.io/deletion-policy');
  });

  test('a foreign CRD that keeps every field is ok; a missing one is skipped', () => {
    expect(crdOwnerFinding(ok({ ours: false, pruned: [] })).status).toBe('ok');
    expect(crdOwnerFinding(ok(undefined)).status).toBe('skip');
  });
});
