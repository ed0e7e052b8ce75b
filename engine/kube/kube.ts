import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, KIND, PLURAL, SINGLETON_NAME } from '../../core';
import type { ASMPvlConfig, AsmPvlStatus } from '../../core';
import { type KubeSettings, loadInClusterConfig, loadKubeConfig, withTimeout } from './connection';
import { retryOnConflict } from './conflict';
import { KubeError, toKubeError } from './errors';
import { annotationsKeeping, OWN_CRD_LABEL, prunedFields, prunedStatus, withKeptFields } from './kept-fields';

export type { AsmPvlStatus };
export type AsmPvlSpec = ASMPvlConfig['spec'];

/** One entry of metadata.managedFields: who wrote which part, and when. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
}

/** The object as read back from the API server, with the metadata we use. */
export type StoredConfig = ASMPvlConfig & {
  metadata: {
    name: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    managedFields?: ManagedFieldsEntry[];
  };
};

const OBJECT = { group: API_GROUP, version: API_VERSION, plural: PLURAL, name: SINGLETON_NAME };
/** Who wrote a field, in managedFields and audit logs. */
export const FIELD_MANAGER = 'kubectl-asmpvl';

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown }).code === 404;
}

function isConflict(error: unknown): boolean {
  return (error as { code?: unknown }).code === 409;
}

/**
 * The plugin's view of the ASM cluster: the `default` ASMPvlConfig, its status subresource, and the
 * CRD. Spec edits go through the API server (so admission applies) with optimistic concurrency;
 * status writes go to /status with the resourceVersion they were computed from.
 */
export class Kube {
  readonly server: string;
  readonly contextName: string;
  /** Who writes: `kubectl-asmpvl`, or `asmpvl-controller` when the controller runs the same store. */
  fieldManager = FIELD_MANAGER;
  private readonly objects: CustomObjectsApi;

  constructor(
    readonly config: KubeConfig,
    private readonly settings: KubeSettings,
  ) {
    this.server = config.getCurrentCluster()?.server ?? '';
    this.contextName = config.getCurrentContext();
    this.objects = config.makeApiClient(CustomObjectsApi);
  }

  static connect(settings: KubeSettings): Kube {
    return new Kube(loadKubeConfig(settings), settings);
  }

  /** In a pod: its service account (see loadInClusterConfig). */
  static inCluster(settings: KubeSettings): Kube {
    return new Kube(loadInClusterConfig(settings), settings);
  }

  /** The namespace the chosen kubeconfig context names, if any. */
  get contextNamespace(): string | undefined {
    return this.config.getContextObject(this.config.getCurrentContext())?.namespace;
  }

  get requestTimeoutMs(): number {
    return this.settings.requestTimeoutMs;
  }

  /** Runs one API call with the request timeout, mapping failures to a KubeError that says what we were doing. */
  async call<T>(doing: string, request: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(request(), this.settings.requestTimeoutMs, doing);
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) throw error;
      // The request's own abort (FlagsKubeConfig) when the server is silent.
      if ((error as Error).name === 'TimeoutError' || (error as { cause?: Error }).cause?.name === 'TimeoutError')
        throw new KubeError(`${doing}: no answer within ${this.settings.requestTimeoutMs} ms (--request-timeout)`);
      throw toKubeError(error, doing, this.server);
    }
  }

  /**
   * The namespace given with -n for the namespaced object the plugin uses (its Lease), or undefined.
   * Not the context's namespace: the Lease must stay where every other run (and the controller) looks.
   */
  get namespace(): string | undefined {
    return this.settings.namespace;
  }

  /**
   * The `default` ASMPvlConfig, or undefined when it does not exist yet; asmpvl's fields that the
   * CRD pruned are read from their annotations (see kept-fields.ts).
   */
  async getConfig(): Promise<StoredConfig | undefined> {
    const stored = await this.readStored();
    return stored && withKeptFields(stored);
  }

  /** The object exactly as the API server stores it. */
  private async readStored(): Promise<StoredConfig | undefined> {
    try {
      return (await this.call(`reading ${KIND.toLowerCase()}/default`, () =>
        this.objects.getClusterCustomObject(OBJECT),
      )) as StoredConfig;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const body: unknown = (error as { body?: unknown }).body;
      // A 404 for the whole resource type means the CRD is missing, not the object.
      if (
        (typeof body === 'string' && /the server could not find the requested resource/.test(body)) ||
        !(await this.crdInstalled())
      ) {
        throw new KubeError(
          `the ${KIND} CRD is not installed on ${this.server}: install the chart (helm install asmpvl charts/asmpvl) or apply charts/asmpvl/crds/`,
          404,
          'NotFound',
        );
      }
      return undefined;
    }
  }

  /**
   * Whose the CRD is and what its schema keeps: asmpvl's own carries OWN_CRD_LABEL; another (the
   * vendor's, on an ASM instance) may prune asmpvl's fields. Undefined when it is not installed.
   */
  async readCrd(): Promise<{ ours: boolean; pruned: string[] } | undefined> {
    const api = this.config.makeApiClient(ApiextensionsV1Api);
    try {
      const crd = await this.call('reading the CRD', () =>
        api.readCustomResourceDefinition({ name: `${PLURAL}.${API_GROUP}` }),
      );
      const version = crd.spec.versions.find((candidate) => candidate.name === API_VERSION);
      return {
        ours: crd.metadata?.labels?.[OWN_CRD_LABEL.key] === OWN_CRD_LABEL.value,
        pruned: prunedFields(version?.schema?.openAPIV3Schema),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async crdInstalled(): Promise<boolean> {
    const api = this.config.makeApiClient(ApiextensionsV1Api);
    try {
      await this.call('reading the CRD', () => api.readCustomResourceDefinition({ name: `${PLURAL}.${API_GROUP}` }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Edits the spec through the API server (admission applies: the webhook defaults and may refuse),
   * retrying on a conflicting concurrent write. `edit` gets the current object (undefined when there
   * is none) and returns the whole new object.
   */
  async updateSpec(
    edit: (current: StoredConfig | undefined) => ASMPvlConfig,
    options: { dryRun?: boolean } = {},
  ): Promise<StoredConfig> {
    const dryRun = options.dryRun ? 'All' : undefined;
    return retryOnConflict('updating asmpvlconfig/default', this.server, async () => {
      const current = await this.getConfig();
      const next = edit(current);
      if (current === undefined) {
        return withKeptFields(
          (await this.call('creating asmpvlconfig/default', () =>
            this.objects.createClusterCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              plural: PLURAL,
              body: next,
              dryRun,
              fieldManager: this.fieldManager,
            }),
          )) as StoredConfig,
        );
      }
      const body = {
        ...next,
        metadata: { ...current.metadata, ...next.metadata, resourceVersion: current.metadata.resourceVersion },
      };
      return withKeptFields(
        (await this.call('updating asmpvlconfig/default', () =>
          this.objects.replaceClusterCustomObject({ ...OBJECT, body, dryRun, fieldManager: this.fieldManager }),
        )) as StoredConfig,
      );
    });
  }

  /**
   * Writes the status subresource from the current object, with that object's resourceVersion, so a
   * concurrent write is never overwritten: on a conflict the status is computed again from what is there.
   */
  async writeStatus(compute: (current: StoredConfig) => AsmPvlStatus): Promise<StoredConfig> {
    const { sent, written } = await retryOnConflict(
      'writing the status of asmpvlconfig/default',
      this.server,
      async () => {
        const current = await this.getConfig();
        if (current === undefined)
          throw new KubeError('asmpvlconfig/default was deleted while provisioning; nothing to write status to');
        const body = { ...current, status: compute(current) };
        const stored = (await this.call('writing the status of asmpvlconfig/default', () =>
          this.objects.replaceClusterCustomObjectStatus({ ...OBJECT, body, fieldManager: this.fieldManager }),
        )) as StoredConfig;
        return { sent: body.status, written: stored };
      },
    );
    return withKeptFields(await this.keepPrunedStatus(written, prunedStatus(sent, written.status)));
  }

  /**
   * After a status write the CRD pruned (a vendor's CRD without asmpvl's status fields): the pruned
   * fields go into the kept-status annotation, on the object as stored, with its resourceVersion.
   * Once the CRD keeps them all, the annotation goes. Resolves to the object as stored.
   */
  private async keepPrunedStatus(
    written: StoredConfig,
    pruned: ReturnType<typeof prunedStatus>,
  ): Promise<StoredConfig> {
    let stored: StoredConfig | undefined = written;
    return retryOnConflict('keeping the pruned status fields of asmpvlconfig/default', this.server, async () => {
      stored ??= await this.readStored();
      const current = stored;
      stored = undefined;
      if (current === undefined) return written;
      const annotations = annotationsKeeping(current.metadata.annotations, pruned);
      if (annotations === undefined) return current;
      const body = { ...current, metadata: { ...current.metadata, annotations } };
      try {
        return (await this.call('keeping the pruned status fields of asmpvlconfig/default', () =>
          this.objects.replaceClusterCustomObject({ ...OBJECT, body, fieldManager: this.fieldManager }),
        )) as StoredConfig;
      } catch (error) {
        // Deleted since the status write: nothing left to annotate.
        if (isNotFound(error)) return written;
        throw error;
      }
    });
  }

  /**
   * A server-side dry-run create: what admission says about `object`, without storing anything.
   * A refusal carries the HTTP status and reason (409 AlreadyExists means admission let it through).
   */
  async dryRunCreate(
    object: unknown,
  ): Promise<{ accepted: boolean; message: string; status?: number; reason?: string }> {
    try {
      await this.call('dry-run create', () =>
        this.objects.createClusterCustomObject({
          group: API_GROUP,
          version: API_VERSION,
          plural: PLURAL,
          body: object,
          dryRun: 'All',
          fieldManager: this.fieldManager,
        }),
      );
      return { accepted: true, message: '' };
    } catch (error) {
      const kubeError = toKubeError(error, 'dry-run create', this.server);
      if (kubeError.status === undefined) throw kubeError;
      return { accepted: false, message: kubeError.message, status: kubeError.status, reason: kubeError.reason };
    }
  }
}
