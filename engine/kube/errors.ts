/** A failure talking to the Kubernetes API, with a message that says what to do. */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'object' && body !== null) return body;
  if (typeof body !== 'string') return {};
  try {
    return JSON.parse(body) as StatusBody;
  } catch {
    return { message: body };
  }
}

/** Maps client-node's ApiException (or a network error) to a KubeError naming what was being done. */
export function toKubeError(error: unknown, doing: string, server: string): KubeError {
  if (error instanceof KubeError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') {
    const body = statusBody((error as { body?: unknown }).body);
    const message = body.message ?? (error as Error).message;
    if (code === 401)
      return new KubeError(
        `${doing}: the API server at ${server} refused our credentials (401); check the user in your kubeconfig`,
        code,
        body.reason,
      );
    if (code === 403)
      return new KubeError(
        `${doing}: forbidden (403): ${message}; ask for RBAC access to asmpvlconfigs and leases`,
        code,
        body.reason,
      );
    return new KubeError(`${doing}: ${message}`, code, body.reason);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new KubeError(
    `${doing}: cannot reach the API server at ${server} (${reason}); check --kubeconfig and --context`,
  );
}
