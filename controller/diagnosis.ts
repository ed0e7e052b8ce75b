/**
 * What the controller says when the API server will not let it work: which thing failed (the
 * Lease, the watch of asmpvlconfigs), why, and what fixes it. Pure: an error in, one line out.
 */
import { API_GROUP, PLURAL } from '../core';

/** The HTTP status of a client-node ApiException, if the API server answered at all. */
export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | undefined)?.body;
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string')
    return (body as { message: string }).message;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // Not a Status: the text itself.
    }
    if (body !== '') return body;
  }
  return error instanceof Error ? error.message : String(error);
}

function unreachable(error: unknown, server: string): string {
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
  return `cannot reach the API server at ${server} (${reason || String(error)}): check --kubeconfig and --context, and that the server is up and reachable from here`;
}

export type LeaseStep = 'reading' | 'creating' | 'updating';

/** Why the leader-election Lease could not be used, and the fix. */
export function leaseProblem(
  error: unknown,
  lease: { namespace: string; name: string },
  step: LeaseStep,
  server: string,
): string {
  const ref = `Lease ${lease.namespace}/${lease.name}`;
  const code = statusCodeOf(error);
  if (code === undefined) return `${ref}: ${unreachable(error, server)}`;
  if (code === 404 && step === 'creating')
    return `${ref}: namespace ${lease.namespace} does not exist (${apiMessage(error)}): create it, or pass --leader-election-namespace with a namespace that exists`;
  if (code === 403) {
    const verb = step === 'reading' ? 'get' : step === 'creating' ? 'create' : 'update';
    return `${ref}: forbidden to ${verb} leases in namespace ${lease.namespace} (${apiMessage(error)}): grant this identity get, create and update on coordination.k8s.io leases there (the chart's Role does)`;
  }
  if (code === 401)
    return `${ref}: the API server at ${server} refused our credentials (401): check the user of the kubeconfig or the service account token`;
  return `${ref}: ${step} it failed with ${code} (${apiMessage(error)})`;
}

/** Why asmpvlconfigs could not be listed or watched, and the fix. */
export function watchProblem(error: unknown, server: string): string {
  const resource = `${PLURAL}.${API_GROUP}`;
  const code = statusCodeOf(error);
  if (code === undefined) return `watching ${resource}: ${unreachable(error, server)}`;
  if (code === 404)
    return `watching ${resource}: the API server at ${server} does not serve it (${apiMessage(error)}): install the ASMPvlConfig CRD (charts/asmpvl/crds), then this controller starts by itself`;
  if (code === 403)
    return `watching ${resource}: forbidden (${apiMessage(error)}): grant this identity get, list, watch and update on ${resource} and update on its status (the chart's ClusterRole does)`;
  if (code === 401)
    return `watching ${resource}: the API server at ${server} refused our credentials (401): check the user of the kubeconfig or the service account token`;
  return `watching ${resource}: failed with ${code} (${apiMessage(error)})`;
}
