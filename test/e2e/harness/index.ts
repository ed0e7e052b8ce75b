// What e2e test files import: commands against the shared API server, the run's environment,
// and certificate helpers (e.g. to serve an admission webhook the API server trusts).
export { adminKubeconfig, helm, kubectl, run, type CommandOptions, type CommandResult } from './commands';
export { E2E_ENV, e2eEnvironment, type E2eEnvironment } from './environment';
export { createCertificateAuthority, issueCertificate, type CertificateRequest, type KeyPair } from './certificates';
