// What e2e test files import: commands against the shared API server, the run's environment,
// the ASMPvlConfig CRD, and certificate helpers (e.g. to serve an admission webhook the API
// server trusts).
export { adminKubeconfig, helm, kubectl, run, type CommandOptions, type CommandResult } from './commands';
export { E2E_ENV, e2eEnvironment, type E2eEnvironment } from './environment';
export { eventually, type EventuallyOptions } from './eventually';
export {
  CHART_DIR,
  CRD_NAME,
  CRD_PATH,
  SCHEMA_PATH,
  deleteDefaultConfig,
  installAsmpvlCrd,
  mustSucceed,
  patchStatus,
  readCrd,
  type CustomResourceDefinition,
} from './asmpvl';
export { createCertificateAuthority, issueCertificate, type CertificateRequest, type KeyPair } from './certificates';
export { installWebhookRelease, type WebhookRelease } from './webhook-release';
