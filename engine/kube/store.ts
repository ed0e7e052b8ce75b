/**
 * The store the reconcile works against: the `default` ASMPvlConfig, its status, its metadata
 * (finalizers, annotations) and its Events. The Kubernetes client sits behind it (KubeStore), so the
 * orchestration has unit tests over an in-memory store, and the plugin and the controller share it.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, KIND, SINGLETON_NAME } from '../../core';
import type { ASMPvlConfig, AsmPvlStatus } from '../../core';
import { eventName } from './events';
import { CONFLICT_RETRIES, retryOnConflict } from './conflict';
import type { Kube, StoredConfig } from './kube';

export type { AsmPvlStatus, ManagedFieldsEntry, StoredConfig } from './kube';

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

// Events about a cluster-scoped object go to the default namespace, as client-go records them.
export const EVENT_NAMESPACE = 'default';
// client-go's recorder remembers 4096 Events (its LRU cache); we count repeats of as many.
const EVENTS_REMEMBERED = 4096;

/** What this process knows of an Event it recorded: its count and the version that count is in. */
interface RecordedEvent {
  count: number;
  resourceVersion?: string;
}
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
  private readonly recordedEvents = new Map<string, RecordedEvent>();

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
    return retryOnConflict('updating the metadata', this.server, async () => {
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
        // Deleted meanwhile: nothing left to edit.
        if ((error as { code?: unknown }).code === 404) return undefined;
        throw error;
      }
    });
  }

  /**
   * One Event object per (object, type, reason, message), as client-go's recorder keeps them: a
   * repeat raises its `count` and `lastTimestamp` instead of creating another object (a message that
   * differs only in the cloud's request id is a repeat, shown with the latest one). The name is
   * derived from those fields, so a repeat from another process (the plugin, a restarted
   * controller) finds the same object. Events about a cluster-scoped object live in the `default`
   * namespace, where client-go records them and `kubectl get events` looks.
   */
  async recordEvent(object: StoredConfig, event: ConfigEvent): Promise<void> {
    const now = new Date();
    const message = boundedEventMessage(event.message);
    const name = eventName(object, { ...event, message }, this.component);
    try {
      const seen = this.recordedEvents.get(name);
      if (seen && (await this.countRepeat(name, seen, message, now))) return;
      try {
        const created = await this.kube.call('recording an event', () =>
          this.core.createNamespacedEvent({
            namespace: EVENT_NAMESPACE,
            body: {
              metadata: { name, namespace: EVENT_NAMESPACE },
              involvedObject: {
                apiVersion: `${API_GROUP}/${API_VERSION}`,
                kind: KIND,
                name: object.metadata.name,
                uid: object.metadata.uid,
                resourceVersion: object.metadata.resourceVersion,
              },
              type: event.type,
              reason: event.reason,
              message,
              source: { component: this.component },
              reportingComponent: this.component,
              reportingInstance: this.component,
              firstTimestamp: now,
              lastTimestamp: now,
              count: 1,
            },
          }),
        );
        this.remember(name, { count: 1, resourceVersion: created.metadata?.resourceVersion });
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 409) throw error;
      }
      // Recorded before by another process, or by this one before its memory of it was dropped.
      const stored = await this.readEvent(name);
      if (stored) await this.countRepeat(name, stored, message, now);
    } catch {
      // An Event is a courtesy: the status carries the same facts.
    }
  }

  /**
   * Raises the count of a recorded Event (JSON Patch with its resourceVersion, so two recorders
   * never count over each other); false when it is gone (expired by the API server's event TTL).
   */
  private async countRepeat(name: string, seen: RecordedEvent, message: string, now: Date): Promise<boolean> {
    let current: RecordedEvent | undefined = seen;
    for (let attempt = 1; current && attempt <= CONFLICT_RETRIES; attempt++) {
      const count = current.count + 1;
      const patch = [
        ...(current.resourceVersion
          ? [{ op: 'replace', path: '/metadata/resourceVersion', value: current.resourceVersion }]
          : []),
        { op: current.count > 0 ? 'replace' : 'add', path: '/count', value: count },
        { op: 'replace', path: '/lastTimestamp', value: now.toISOString() },
        // The latest wording (its request id), as client-go's recorder patches it.
        { op: 'replace', path: '/message', value: message },
      ];
      try {
        const patched = await this.kube.call('recording a repeated event', () =>
          this.core.patchNamespacedEvent({ name, namespace: EVENT_NAMESPACE, body: patch }),
        );
        this.remember(name, { count, resourceVersion: patched.metadata?.resourceVersion });
        return true;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 404) break;
        if (code !== 409) throw error;
        current = await this.readEvent(name);
      }
    }
    this.recordedEvents.delete(name);
    return false;
  }

  private async readEvent(name: string): Promise<RecordedEvent | undefined> {
    try {
      const stored = await this.kube.call('reading an event', () =>
        this.core.readNamespacedEvent({ name, namespace: EVENT_NAMESPACE }),
      );
      return { count: stored.count ?? 0, resourceVersion: stored.metadata?.resourceVersion };
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return undefined;
      throw error;
    }
  }

  /** Keeps the newest EVENTS_REMEMBERED Events (a Map iterates in insertion order). */
  private remember(name: string, recorded: RecordedEvent): void {
    this.recordedEvents.delete(name);
    this.recordedEvents.set(name, recorded);
    if (this.recordedEvents.size > EVENTS_REMEMBERED)
      this.recordedEvents.delete(this.recordedEvents.keys().next().value!);
  }
}
