/**
 * The store the reconcile works against: the `default` ASMPvlConfig, its status, its metadata
 * (finalizers, annotations) and its Events. The Kubernetes client sits behind it (KubeStore), so the
 * orchestration has unit tests over an in-memory store, and the plugin and the controller share it.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, KIND, SINGLETON_NAME } from '../../core';
import type { ASMPvlConfig } from '../../core';
import { KubeError, toKubeError } from './errors';
import type { Kube } from './kube';

export type AsmPvlStatus = NonNullable<ASMPvlConfig['status']>;

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

/** A Kubernetes Event about the object: Normal for a change made, Warning for a failure. */
export interface ConfigEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. Provisioned, Repaired, ReconcileFailed. */
  reason: string;
  message: string;
}

export interface ConfigStore {
  /** The API server's address, for messages. */
  readonly server: string;
  /** The `default` ASMPvlConfig, or undefined when it does not exist. */
  getConfig(): Promise<StoredConfig | undefined>;
  /** Edits the spec through the API server (admission applies), retrying on conflicts. */
  updateSpec(
    edit: (current: StoredConfig | undefined) => ASMPvlConfig,
    options?: { dryRun?: boolean },
  ): Promise<StoredConfig>;
  /** Writes the status subresource computed from the object as stored, never over a concurrent write. */
  writeStatus(compute: (current: StoredConfig) => AsmPvlStatus): Promise<StoredConfig>;
  /**
   * Edits finalizers and annotations with optimistic concurrency. `edit` returns undefined to leave
   * the object as it is. Resolves to undefined when the object is gone.
   */
  updateMetadata(
    edit: (metadata: StoredConfig['metadata']) => StoredConfig['metadata'] | undefined,
  ): Promise<StoredConfig | undefined>;
  /** Records an Event on the object; a failure to record is not the caller's problem. */
  recordEvent(object: StoredConfig, event: ConfigEvent): Promise<void>;
}

const CONFLICT_RETRIES = 5;
// Event messages are capped by the API server at 1 KiB (validation of core/v1 Event.message).
const EVENT_MESSAGE_LIMIT = 1024;

/** Trims a message to what an Event holds, saying how much was left out. */
export function boundedEventMessage(message: string): string {
  if (message.length <= EVENT_MESSAGE_LIMIT) return message;
  const note = ` … (${message.length - (EVENT_MESSAGE_LIMIT - 40)} more characters)`;
  return message.slice(0, EVENT_MESSAGE_LIMIT - note.length) + note;
}

/** The ConfigStore over a live API server. */
export class KubeStore implements ConfigStore {
  private readonly core: CoreV1Api;

  constructor(
    readonly kube: Kube,
    /** Written as the Event's reporting component. */
    private readonly component: string,
  ) {
    this.core = kube.config.makeApiClient(CoreV1Api);
  }

  get server(): string {
    return this.kube.server;
  }

  getConfig(): Promise<StoredConfig | undefined> {
    return this.kube.getConfig();
  }

  updateSpec(
    edit: (current: StoredConfig | undefined) => ASMPvlConfig,
    options?: { dryRun?: boolean },
  ): Promise<StoredConfig> {
    return this.kube.updateSpec(edit, options);
  }

  writeStatus(compute: (current: StoredConfig) => AsmPvlStatus): Promise<StoredConfig> {
    return this.kube.writeStatus(compute);
  }

  async updateMetadata(
    edit: (metadata: StoredConfig['metadata']) => StoredConfig['metadata'] | undefined,
  ): Promise<StoredConfig | undefined> {
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const objects = this.kube.config.makeApiClient(CustomObjectsApi);
    for (let attempt = 1; ; attempt++) {
      const current = await this.getConfig();
      if (!current) return undefined;
      const metadata = edit(current.metadata);
      if (!metadata) return current;
      try {
        return (await this.kube.call(`updating the metadata of ${KIND.toLowerCase()}/default`, () =>
          objects.replaceClusterCustomObject({
            group: API_GROUP,
            version: API_VERSION,
            plural: 'asmpvlconfigs',
            name: SINGLETON_NAME,
            body: { ...current, metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion } },
            fieldManager: this.kube.fieldManager,
          }),
        )) as StoredConfig;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 404) return undefined;
        if (code === 409 && attempt < CONFLICT_RETRIES) continue;
        throw error instanceof KubeError ? error : toKubeError(error, 'updating the metadata', this.server);
      }
    }
  }

  async recordEvent(object: StoredConfig, event: ConfigEvent): Promise<void> {
    const now = new Date();
    // Events about cluster-scoped objects live in the default namespace (as client-go records them).
    const namespace = 'default';
    try {
      await this.kube.call('recording an event', () =>
        this.core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { name: `${SINGLETON_NAME}.${now.getTime().toString(16)}${randomSuffix()}`, namespace },
            involvedObject: {
              apiVersion: `${API_GROUP}/${API_VERSION}`,
              kind: KIND,
              name: object.metadata.name,
              uid: object.metadata.uid,
              resourceVersion: object.metadata.resourceVersion,
            },
            type: event.type,
            reason: event.reason,
            message: boundedEventMessage(event.message),
            source: { component: this.component },
            reportingComponent: this.component,
            reportingInstance: this.component,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        }),
      );
    } catch {
      // An Event is a courtesy: the status carries the same facts.
    }
  }
}

function randomSuffix(): string {
  return Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0');
}
