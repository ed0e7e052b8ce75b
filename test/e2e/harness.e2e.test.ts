// The harness itself: the pinned versions run, the admin is cluster admin while RBAC holds for
// everyone else, and the API server calls an admission webhook served on 127.0.0.1.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, eventually, helm, issueCertificate, kubectl, mustSucceed } from './harness';

const WEBHOOK_NAME = 'asmpvl-e2e-harness-probe';
const PROBE_LABEL = 'asmpvl-e2e/harness-probe';

describe('the pinned binaries', () => {
  test('kubectl and the API server are v1.37.2', async () => {
    const result = await mustSucceed(kubectl(['version', '-o', 'json']), 'kubectl version');
    const versions = JSON.parse(result.stdout);
    expect(versions.clientVersion.gitVersion).toBe('v1.37.2');
    expect(versions.serverVersion.gitVersion).toBe('v1.37.2');
  });

  test('helm prints its full version', async () => {
    const result = await mustSucceed(helm(['version', '--template', '{{.Version}}']), 'helm version');
    expect(result.stdout).toBe('v3.19.0');
  });
});

describe('authorization', () => {
  test('the admin kubeconfig is in system:masters', async () => {
    const result = await mustSucceed(kubectl(['auth', 'whoami', '-o', 'json']), 'kubectl auth whoami');
    expect(JSON.parse(result.stdout).status.userInfo.groups).toContain('system:masters');
  });

  test('RBAC denies a user with no bindings', async () => {
    const result = await kubectl(['auth', 'can-i', 'list', 'secrets', '--as=asmpvl-e2e-nobody']);
    expect(result).toMatchObject({ code: 1, stdout: 'no\n' });
  });
});

// A validating webhook that denies labelled ConfigMaps whose data.verdict is "deny".
function startProbeWebhook(certificatePem: string, privateKeyPem: string): Promise<Server> {
  const server = createServer({ cert: certificatePem, key: privateKeyPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString());
      const allowed = review.request.object?.data?.verdict !== 'deny';
      const status = allowed ? undefined : { code: 403, message: 'denied by the harness probe webhook' };
      response.setHeader('Content-Type', 'application/json');
      response.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: review.request.uid, allowed, status },
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function webhookConfiguration(port: number, caPem: string): string {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: WEBHOOK_NAME },
    webhooks: [
      {
        name: 'probe.asmpvl-e2e.test',
        clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: Buffer.from(caPem).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
        objectSelector: { matchLabels: { [PROBE_LABEL]: 'true' } },
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        timeoutSeconds: 5,
      },
    ],
  });
}

function probeConfigMap(verdict: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `asmpvl-e2e-harness-${verdict}`, namespace: 'default', labels: { [PROBE_LABEL]: 'true' } },
    data: { verdict },
  });
}

describe('admission webhooks', () => {
  let webhook: Server | undefined;

  afterAll(async () => {
    await kubectl(['delete', 'validatingwebhookconfiguration', WEBHOOK_NAME, '--ignore-not-found']);
    await new Promise((resolve) => (webhook ? webhook.close(resolve) : resolve(undefined)));
  });

  test('the API server calls a webhook at https://127.0.0.1:<port>', async () => {
    const ca = createCertificateAuthority('asmpvl-e2e-harness-webhook-ca');
    const serving = issueCertificate(ca, { commonName: '127.0.0.1', usage: 'server', ipAddresses: ['127.0.0.1'] });
    webhook = await startProbeWebhook(serving.certificatePem, serving.privateKeyPem);
    const port = (webhook.address() as AddressInfo).port;
    await mustSucceed(
      kubectl(['apply', '-f', '-'], { input: webhookConfiguration(port, ca.certificatePem) }),
      'kubectl apply of the webhook configuration',
    );

    // The API server picks up a new webhook configuration a moment after it is stored.
    const denied = await eventually(async () => {
      const result = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: probeConfigMap('deny') });
      if (result.code === 0) throw new Error('the webhook is not called yet');
      return result;
    });
    expect(denied.stderr).toContain('denied by the harness probe webhook');
    const allowed = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: probeConfigMap('allow') });
    expect(allowed).toMatchObject({ code: 0, stderr: '' });
  });
});
