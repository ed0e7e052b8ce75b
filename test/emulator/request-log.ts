// Every request the emulator saw, for tests and benchmarks to count calls, retries and writes.
import type { ProductName } from './products/product';

export type InjectedFault = 'latency' | 'hang' | 'throttle' | 'server-error' | 'rate-limit' | 'drop-response';

export interface RequestLogEntry {
  /** 1, 2, 3, ... in arrival order. */
  seq: number;
  time: string;
  product: ProductName | 'unknown';
  action: string;
  method: string;
  path: string;
  /** The action changes state (Create/Update/Delete/...), whether or not this call succeeded. */
  mutating: boolean;
  dryRun: boolean;
  /** The HTTP status answered; 0 when the request hung or its response was dropped. */
  status: number;
  /** The error code, when the answer was an error. */
  code?: string;
  requestId: string;
  accessKeyId?: string;
  clientToken?: string;
  /** Answered from the ClientToken ledger rather than performed again. */
  replayed?: boolean;
  faults?: InjectedFault[];
  durationMs: number;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  /** Starts an entry; the caller completes its outcome fields in place. */
  open(fields: Omit<RequestLogEntry, 'seq' | 'status' | 'durationMs'>): RequestLogEntry {
    const entry: RequestLogEntry = { ...fields, seq: ++this.seq, status: 0, durationMs: 0 };
    this.entries.push(entry);
    return entry;
  }

  list(): RequestLogEntry[] {
    return structuredClone(this.entries);
  }

  clear(): void {
    this.entries = [];
  }
}
