/**
 * The environment variables through which the jest global setup hands the shared API server to
 * the e2e test files (and anything they spawn).
 */
export const E2E_ENV = {
  /** Admin kubeconfig (client certificate in system:masters). */
  kubeconfig: 'ASMPVL_E2E_KUBECONFIG',
  /** Path of the pinned kubectl binary. */
  kubectl: 'ASMPVL_E2E_KUBECTL',
  /** Path of the pinned helm binary. */
  helm: 'ASMPVL_E2E_HELM',
  /** Working directory of this run (certificates under pki/, server logs, scratch space). */
  dir: 'ASMPVL_E2E_DIR',
  /** API server URL, https://127.0.0.1:<port>. */
  server: 'ASMPVL_E2E_SERVER',
  /** Directory holding kube-apiserver, kubectl, etcd and helm; set it to skip running build.sh. */
  binDir: 'ASMPVL_E2E_BIN_DIR',
} as const;

/**
 * Directory holding kstatus and argocd-health (gitops.e2e.test.ts): set by the e2e global setup,
 * or by you to skip running gitops-tools.sh. Not part of E2E_ENV: the bench and the demo run without it.
 */
export const GITOPS_BIN_DIR_ENV = 'ASMPVL_E2E_GITOPS_BIN_DIR';

export type E2eEnvironment = { [K in keyof typeof E2E_ENV]: string };

/** Reads every E2E variable; throws if the run was not started through the e2e jest project. */
export function e2eEnvironment(): E2eEnvironment {
  const entries = Object.entries(E2E_ENV).map(([key, variable]) => {
    const value = process.env[variable];
    if (!value) {
      throw new Error(
        `${variable} is not set: run e2e tests with 'npm run test:e2e' (or 'npx jest --selectProjects e2e --runInBand'), whose global setup starts the API server.`,
      );
    }
    return [key, value];
  });
  return Object.fromEntries(entries) as E2eEnvironment;
}
