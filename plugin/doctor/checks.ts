/**
 * What `kubectl asmpvl doctor` concludes from what it observed: each check becomes a finding with a
 * status and, when something is wrong, a fix a person can act on. Pure: the observations come in
 * as data (gathered by plugin/doctor/run.ts through probes), so every verdict is unit-tested
 * without a cluster or a cloud.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  /** Stable id for scripts: `kubeconfig`, `webhook`, `cluster/c0123…`. */
  check: string;
  /** What was checked, in words. */
  title: string;
  status: CheckStatus;
  /** What was found. */
  message: string;
  /** What to do about it, when there is something to do. */
  fix?: string;
}

/** A failed probe, as far as a verdict needs it. */
export interface ProbeError {
  message: string;
  /** The HTTP status the server answered with; absent when it never answered. */
  httpStatus?: number;
  /** The cloud's error code (`InvalidAccessKeyId.NotFound`, `NeedOpenProduct`, ...). */
  code?: string;
  requestId?: string;
  /** The resource does not exist (a cloud not-found code, or a 404). */
  notFound?: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ProbeError };

const HELM_INSTALL = 'helm install asmpvl charts/asmpvl -n asmpvl-system --create-namespace';

const skipped = (check: string, title: string, because: string): Finding => ({
  check,
  title,
  status: 'skip',
  message: `not checked: ${because}`,
});

// ---- Kubernetes side ----

export function kubeconfigFinding(outcome: Outcome<{ context: string; server: string }>): Finding {
  const title = 'kubeconfig and context';
  if (outcome.ok)
    return {
      check: 'kubeconfig',
      title,
      status: 'ok',
      message: `context ${outcome.value.context || '(none)'}, server ${outcome.value.server}`,
    };
  return {
    check: 'kubeconfig',
    title,
    status: 'fail',
    message: outcome.error.message,
    fix: "point the plugin at the ASM instance's kubeconfig (ASM console, Basic Information, kubeconfig): --kubeconfig FILE and --context NAME, or KUBECONFIG",
  };
}

/**
 * The API server and the CRD, from one read of the CRD: any HTTP answer proves the server answers;
 * 401 means it refused our credentials; no answer at all means it is not reachable.
 */
export function apiServerFindings(server: string, outcome: Outcome<boolean>): [Finding, Finding] {
  const api = { check: 'api-server', title: 'API server answers' };
  const crd = { check: 'crd', title: 'ASMPvlConfig CRD installed' };
  if (outcome.ok) {
    const crdFinding: Finding = outcome.value
      ? { ...crd, status: 'ok', message: 'asmpvlconfigs.istio.alibabacloud.com is installed' }
      : {
          ...crd,
          status: 'fail',
          message: 'asmpvlconfigs.istio.alibabacloud.com is not installed',
          fix: `install the chart, which brings the CRD and the webhook: ${HELM_INSTALL}`,
        };
    return [{ ...api, status: 'ok', message: `${server} answered` }, crdFinding];
  }
  const { httpStatus, message } = outcome.error;
  if (httpStatus === undefined) {
    return [
      {
        ...api,
        status: 'fail',
        message,
        fix: 'check that the server in the kubeconfig is reachable from here (VPN, proxy, public endpoint of the ASM instance), and --request-timeout',
      },
      skipped(crd.check, crd.title, 'the API server did not answer'),
    ];
  }
  if (httpStatus === 401) {
    return [
      {
        ...api,
        status: 'fail',
        message,
        fix: 'the credentials of the kubeconfig user are refused: download a fresh kubeconfig of the ASM instance',
      },
      skipped(crd.check, crd.title, 'the API server refused our credentials'),
    ];
  }
  return [
    { ...api, status: 'ok', message: `${server} answered (HTTP ${httpStatus})` },
    {
      ...crd,
      status: 'warn',
      message: `cannot tell: ${message}`,
      fix:
        httpStatus === 403
          ? 'ask for RBAC permission to get customresourcedefinitions, or check with an administrator that the CRD is installed'
          : undefined,
    },
  ];
}

/** Whose the CRD is, and which of asmpvl's fields its schema prunes. */
export interface CrdFacts {
  ours: boolean;
  pruned: string[];
}

/**
 * The CRD's owner. asmpvl's own carries the label app.kubernetes.io/part-of=asmpvl; any other (the
 * vendor's, on an ASM instance) is never to be replaced, and where it prunes asmpvl's fields they
 * live in annotations instead.
 */
export function crdOwnerFinding(outcome: Outcome<CrdFacts | undefined>): Finding {
  const base = { check: 'crd-owner', title: 'ASMPvlConfig CRD owner' };
  if (!outcome.ok) return { ...base, status: 'warn', message: `cannot read the CRD: ${outcome.error.message}` };
  if (!outcome.value) return skipped(base.check, base.title, 'the CRD is not installed');
  const { ours, pruned } = outcome.value;
  if (ours) return { ...base, status: 'ok', message: 'installed by asmpvl (label app.kubernetes.io/part-of=asmpvl)' };
  if (pruned.length === 0)
    return {
      ...base,
      status: 'ok',
      message:
        'not installed by asmpvl (no label app.kubernetes.io/part-of=asmpvl); its schema keeps every asmpvl field',
    };
  return {
    ...base,
    status: 'warn',
    message: `not installed by asmpvl (no label app.kubernetes.io/part-of=asmpvl), and its schema prunes ${pruned.join(', ')}`,
    fix: 'keep this CRD (it belongs to the ASM instance): never apply charts/asmpvl/crds/ over it. Give spec.deletionPolicy and spec.sanSync as the annotations asmpvl.io/deletion-policy and asmpvl.io/san-sync; asmpvl keeps its status fields in the annotation asmpvl.io/status',
  };
}

/** What doctor needs of asmpvlconfig/default: the clusters and zones of its spec. */
export interface SpecFacts {
  clusterIds: string[];
  /** Every zone of a vSwitch in the spec, both sides. */
  zones: string[];
  /** The overall status recorded, if any. */
  status?: string;
  /** The service mesh, from the object's asmpvl.io/mesh-id annotation (recorded by connect). */
  meshId?: string;
}

export function objectFinding(outcome: Outcome<SpecFacts | undefined>): Finding {
  const base = { check: 'object', title: 'asmpvlconfig/default' };
  if (!outcome.ok) return { ...base, status: 'warn', message: `cannot read it: ${outcome.error.message}` };
  if (!outcome.value) {
    return {
      ...base,
      status: 'warn',
      message: 'does not exist yet, so the zone and cluster checks are skipped',
      fix: 'kubectl asmpvl connect <clusterId> --vswitch vsw-… creates it',
    };
  }
  const { clusterIds, status } = outcome.value;
  return {
    ...base,
    status: 'ok',
    message: `${clusterIds.length} cluster(s) in the spec${status ? `, status ${status}` : ', no status yet'}`,
  };
}

/** The result of a server-side dry-run create of an object only the webhook can refuse. */
export interface DryRunResult {
  accepted: boolean;
  message: string;
  httpStatus?: number;
  reason?: string;
}

/**
 * The webhook, from a server-side dry run of an object the CRD schema accepts but whose zones do not
 * pair. Only the validating webhook refuses it; accepted (or refused only as AlreadyExists, which
 * comes after admission) means no webhook is installed, or it fails open.
 */
export function webhookFinding(outcome: Outcome<DryRunResult>): Finding {
  const base = { check: 'webhook', title: 'admission webhook refuses an invalid object' };
  if (!outcome.ok)
    return { ...base, status: 'warn', message: `the dry run could not be sent: ${outcome.error.message}` };
  const result = outcome.value;
  const passedAdmission = result.accepted || result.httpStatus === 409;
  if (passedAdmission) {
    return {
      ...base,
      status: 'fail',
      message:
        'a dry run of an object whose zones do not pair was let through: no webhook checks ASMPvlConfig, or it is down with failurePolicy Ignore',
      fix: `install the chart (${HELM_INSTALL}); if it is installed, check the asmpvl-webhook pods and endpoints in asmpvl-system`,
    };
  }
  if (/failed calling webhook/i.test(result.message)) {
    return {
      ...base,
      status: 'fail',
      message: `the webhook is configured but not answering, so every write of asmpvlconfig/default fails: ${result.message}`,
      fix: 'check the asmpvl-webhook pods, service and TLS in asmpvl-system (kubectl -n asmpvl-system get pods,endpoints), or webhook.url and its caBundle',
    };
  }
  if (/does not support dry run/i.test(result.message)) {
    return {
      ...base,
      status: 'warn',
      message: `a webhook on asmpvlconfigs refuses dry runs, so it cannot be checked this way: ${result.message}`,
      fix: 'the asmpvl chart declares sideEffects: None; another webhook on this resource may not',
    };
  }
  if (/admission webhook .* denied the request/i.test(result.message)) {
    return {
      ...base,
      status: 'ok',
      message: 'a dry run of an object whose zones do not pair was refused by the webhook',
    };
  }
  return {
    ...base,
    status: 'warn',
    message: `the dry run was refused, but not by the webhook (HTTP ${result.httpStatus ?? '?'}${result.reason ? ` ${result.reason}` : ''}): ${result.message}`,
    fix: 'check that your user may create asmpvlconfigs (the dry run needs create permission)',
  };
}

/** What doctor dry-runs: the vendor's own example, whose zone j meets zone i, so nothing pairs. */
export const UNPAIRED_PROBE = {
  apiVersion: 'istio.alibabacloud.com/v1beta1',
  kind: 'ASMPvlConfig',
  metadata: { name: 'default' },
  spec: {
    ackVpcEndpoint: [
      {
        clusterId: 'c0123456789abcdef0123456789abcdef',
        vSwitches: [{ vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50', zoneId: 'cn-hangzhou-j' }],
      },
    ],
    asmVpcEndpoint: { vSwitches: [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-i' }] },
  },
} as const;

// ---- cloud side ----

/** Which flag or variable the region came from, for the message. */
export type RegionSource = '--region' | 'ALIBABA_CLOUD_REGION_ID' | 'the zones of the spec';

export function credentialsFinding(
  region: { id: string; source: RegionSource } | undefined,
  outcome: Outcome<{ requestId?: string }> | undefined,
): Finding {
  const base = { check: 'credentials', title: 'cloud credentials usable' };
  if (!region) {
    return {
      ...base,
      status: 'fail',
      message: 'no region: none given and none in the spec',
      fix: 'pass --region (e.g. cn-hangzhou) or set ALIBABA_CLOUD_REGION_ID',
    };
  }
  if (!outcome) return skipped(base.check, base.title, 'no cloud client');
  if (outcome.ok) {
    return {
      ...base,
      status: 'ok',
      message: `a read call in ${region.id} (from ${region.source}) was signed and answered${outcome.value.requestId ? ` (request id ${outcome.value.requestId})` : ''}`,
    };
  }
  const { code, message } = outcome.error;
  const authFailure =
    code === 'CredentialsUnavailable' ||
    /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken)/.test(code ?? '');
  if (!authFailure && /^(Forbidden|NoPermission)/.test(code ?? '')) {
    return {
      ...base,
      status: 'warn',
      message: `the credentials work but may not call VPC DescribeVSwitches: ${message}`,
      fix: 'grant the RAM identity read access to VPC (AliyunVPCReadOnlyAccess); connect looks vSwitches up',
    };
  }
  return {
    ...base,
    status: 'fail',
    message,
    fix: 'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or pass --profile NAME (aliyun CLI profile), or run where a RAM role is available (RRSA, ECS instance role)',
  };
}

export function privateLinkFinding(outcome: Outcome<boolean>): Finding {
  const base = { check: 'privatelink', title: 'PrivateLink opened for the account' };
  const fix =
    'activate PrivateLink once for the account: the PrivateLink console (https://vpc.console.aliyun.com/endpointservice), or the OpenPrivateLinkService API';
  if (outcome.ok) {
    return outcome.value
      ? { ...base, status: 'ok', message: 'CheckProductOpen: opened' }
      : {
          ...base,
          status: 'fail',
          message: 'CheckProductOpen: not opened, so no endpoint service or endpoint can be created',
          fix,
        };
  }
  if (outcome.error.code === 'NeedOpenProduct') return { ...base, status: 'fail', message: outcome.error.message, fix };
  return { ...base, status: 'warn', message: `cannot tell: ${outcome.error.message}` };
}

/** The spec's zones against the zones where PrivateLink serves load balancers (DescribeZones, slb). */
export function zonesFinding(specZones: string[], outcome: Outcome<string[]>): Finding {
  const base = { check: 'zones', title: 'zones of the spec support PrivateLink' };
  if (!outcome.ok) return { ...base, status: 'warn', message: `cannot tell: ${outcome.error.message}` };
  const supported = new Set(outcome.value);
  const wanted = [...new Set(specZones)].sort();
  const unsupported = wanted.filter((zone) => !supported.has(zone));
  if (unsupported.length === 0)
    return { ...base, status: 'ok', message: `${wanted.join(', ') || 'no zones'}: all supported` };
  return {
    ...base,
    status: 'fail',
    message: `PrivateLink does not serve load balancers in ${unsupported.join(', ')} (supported here: ${[...supported].sort().join(', ') || 'none'})`,
    fix: 'move those vSwitches to supported zones: create a vSwitch in one, then change spec.ackVpcEndpoint[].vSwitches / spec.asmVpcEndpoint.vSwitches',
  };
}

export interface ClusterFacts {
  name?: string;
  state?: string;
  regionId?: string;
}

/** One cluster of the spec, through ACK DescribeClusterDetail with our credentials. */
export function clusterFinding(clusterId: string, region: string, outcome: Outcome<ClusterFacts>): Finding {
  const base = { check: `cluster/${clusterId}`, title: `ACK cluster ${clusterId} visible` };
  if (!outcome.ok) {
    const { notFound, message, requestId } = outcome.error;
    const fix = notFound
      ? `check the cluster id (ACK console), that the cluster is in ${region} (--region), and that these credentials belong to its account`
      : 'grant the RAM identity cs:DescribeClusterDetail on the cluster, or check the ACK endpoint';
    return {
      ...base,
      status: 'fail',
      message: `${notFound ? 'not found' : 'cannot read it'}: ${message}${requestId && !message.includes(requestId) ? ` (request id ${requestId})` : ''}`,
      fix,
    };
  }
  const { name, state, regionId } = outcome.value;
  const label = `${name ? `${name}, ` : ''}${state ?? 'state unknown'}`;
  if (regionId && regionId !== region) {
    return {
      ...base,
      status: 'fail',
      message: `${label}, but in ${regionId}, not ${region}`,
      fix: 'PrivateLink links one region: the cluster, the mesh and --region must be the same region',
    };
  }
  if (state && state !== 'running') {
    return {
      ...base,
      status: 'warn',
      message: label,
      fix: 'wait until the cluster is running (ACK console), then connect; SAN changes need a running managed cluster',
    };
  }
  return { ...base, status: 'ok', message: label };
}

// ---- the report ----

const SYMBOLS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };
const WORDS: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

const COLORS: Record<CheckStatus, number> = { ok: 32, warn: 33, fail: 31, skip: 2 };

/**
 * One finding as lines: a mark (✓ ! ✗ - on a terminal, words in a pipe or a log), the title and
 * message, and for a failure or warning the fix. `color` paints the mark (off under NO_COLOR).
 */
export function formatFinding(finding: Finding, options: { symbols: boolean; color?: boolean }): string {
  const mark = options.symbols ? SYMBOLS[finding.status] : WORDS[finding.status];
  const painted = options.color ? `\x1b[${COLORS[finding.status]}m${mark}\x1b[0m` : mark;
  const fix =
    finding.fix && (finding.status === 'fail' || finding.status === 'warn')
      ? `\n${' '.repeat(mark.length + 1)}fix: ${finding.fix}`
      : '';
  return `${painted} ${finding.title}: ${finding.message}${fix}\n`;
}

/** `7 ok, 1 warning, 1 failed, 2 skipped` */
export function summaryLine(findings: Finding[]): string {
  const count = (status: CheckStatus) => findings.filter((finding) => finding.status === status).length;
  const parts = [`${count('ok')} ok`, `${count('warn')} warning(s)`, `${count('fail')} failed`];
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  return parts.join(', ');
}

/** Exit code 1 when any check failed; warnings alone pass. */
export function anyFailed(findings: Finding[]): boolean {
  return findings.some((finding) => finding.status === 'fail');
}
