/**
 * A ConfigStore held in memory, for tests of the orchestration without an API server: it keeps a
 * generation and a resourceVersion like the API server does, and records every Event.
 */
import type { ASMPvlConfig } from '../../core';
import type { AsmPvlStatus, ConfigEvent, ConfigStore, StoredConfig } from '../kube/store';

export class MemoryStore implements ConfigStore {
  readonly server = 'memory';
  readonly events: ConfigEvent[] = [];
  statusWrites = 0;
  private object: StoredConfig | undefined;
  private version = 0;

  constructor(initial?: ASMPvlConfig) {
    if (initial) this.put({ ...initial, metadata: { ...initial.metadata, name: 'default', uid: 'uid-1' } }, true);
  }

  private put(next: StoredConfig, specChanged: boolean): StoredConfig {
    this.version += 1;
    const generation = (this.object?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    this.object = structuredClone({
      ...next,
      metadata: { ...next.metadata, generation, resourceVersion: String(this.version) },
    });
    return structuredClone(this.object);
  }

  async getConfig(): Promise<StoredConfig | undefined> {
    return structuredClone(this.object);
  }

  async updateSpec(edit: (current: StoredConfig | undefined) => ASMPvlConfig): Promise<StoredConfig> {
    const current = await this.getConfig();
    const next = edit(current);
    const base = current ?? { ...next, metadata: { name: 'default', uid: 'uid-1' } };
    return this.put({ ...base, spec: next.spec, metadata: { ...base.metadata, ...next.metadata } }, true);
  }

  async writeStatus(compute: (current: StoredConfig) => AsmPvlStatus): Promise<StoredConfig> {
    const current = await this.getConfig();
    if (!current) throw new Error('asmpvlconfig/default does not exist');
    this.statusWrites += 1;
    return this.put({ ...current, status: compute(current) }, false);
  }

  async updateMetadata(
    edit: (metadata: StoredConfig['metadata']) => StoredConfig['metadata'] | undefined,
  ): Promise<StoredConfig | undefined> {
    const current = await this.getConfig();
    if (!current) return undefined;
    const metadata = edit(current.metadata);
    if (!metadata) return current;
    if (current.metadata.deletionTimestamp && (metadata.finalizers ?? []).length === 0) {
      this.object = undefined;
      return undefined;
    }
    return this.put({ ...current, metadata }, false);
  }

  async recordEvent(_object: StoredConfig, event: ConfigEvent): Promise<void> {
    this.events.push(event);
  }

  /** Marks the object deleted, as the API server does while finalizers remain. */
  markDeleted(at = new Date()): void {
    if (!this.object) return;
    if ((this.object.metadata.finalizers ?? []).length === 0) this.object = undefined;
    else this.object.metadata.deletionTimestamp = at.toISOString();
  }
}
