// The manager in process: its queue, its wake-ups and its release of a waiting reconcile, over a
// watch fed by the test and a list answered by a stub API client (client-node is an ES module the
// unit runner cannot load; the e2e and cluster suites run the manager on its real informer).
import type { Informer, KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import pino from 'pino';
import { ANNOTATION_KEPT_STATUS } from '../engine/kube/kept-fields';
import {
  ANNOTATION_CONTROLLER,
  ANNOTATION_RECONCILE_REQUEST,
  FINALIZER,
} from '../engine/provisioning/controller-protocol';
import { Manager } from './manager';
import { ControllerMetrics } from './metrics';
import type { ReconcileResult } from './reconciler';

jest.mock('@kubernetes/client-node', () => ({
  CustomObjectsApi: class {},
  makeInformer: () => {
    throw new Error('the test passes its own watch');
  },
}));

type Listener = (object: KubernetesObject) => void;

/** A watch the test drives: start() lists once (through the manager's list), then emits what it is told. */
class TestWatch {
  private readonly listeners = new Map<string, Listener[]>();
  constructor(private readonly list: () => Promise<unknown>) {}
  on(verb: string, listener: Listener): void {
    this.listeners.set(verb, [...(this.listeners.get(verb) ?? []), listener]);
  }
  async start(): Promise<void> {
    await this.list();
  }
  async stop(): Promise<void> {}
  emit(verb: 'add' | 'update' | 'delete', object: KubernetesObject): void {
    for (const listener of this.listeners.get(verb) ?? []) listener(object);
  }
}

function object(generation: number, extra: Partial<KubernetesObject['metadata']> = {}, status?: unknown) {
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default', generation, resourceVersion: String(Math.random()), ...extra },
    ...(status ? { status } : {}),
  } as KubernetesObject;
}

/** A reconciler whose every pass the test scripts; it records each pass's release signal. */
class ScriptedReconciler {
  readonly passes: Array<{ release?: AbortSignal; term: AbortSignal }> = [];
  private waiters: Array<() => void> = [];
  constructor(
    private readonly term: AbortSignal,
    private readonly script: (
      pass: number,
      release: AbortSignal | undefined,
      term: AbortSignal,
    ) => Promise<ReconcileResult>,
  ) {}
  async reconcile(release?: AbortSignal): Promise<ReconcileResult> {
    this.passes.push({ release, term: this.term });
    for (const waiter of this.waiters.splice(0)) waiter();
    return this.script(this.passes.length, release, this.term);
  }
  /** Resolves once `count` passes have started. */
  async started(count: number): Promise<void> {
    while (this.passes.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

const untilAborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve())));

let lists = 0;
const kubeConfig = {
  makeApiClient: () => ({
    listClusterCustomObject: async () => {
      lists += 1;
      return { apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfigList', metadata: {}, items: [] };
    },
  }),
} as unknown as KubeConfig;

function managerWith(script: ConstructorParameters<typeof ScriptedReconciler>[1], resyncMs = 600_000) {
  let watch: TestWatch | undefined;
  let reconciler: ScriptedReconciler | undefined;
  const metrics = new ControllerMetrics();
  const manager = new Manager({
    kubeConfig,
    server: 'https://test',
    resyncMs,
    backoff: { initialMs: 60_000, maxMs: 60_000 },
    metrics,
    log: pino({ level: 'silent' }),
    reconcilerFor: (term) => (reconciler = new ScriptedReconciler(term, script)),
    informerFor: (list) => (watch = new TestWatch(list)) as unknown as Informer<KubernetesObject>,
  });
  return {
    manager,
    metrics,
    watch: () => watch!,
    reconciler: () => reconciler!,
  };
}

test('lists once started, then is ready; leads at once without election', async () => {
  const before = lists;
  const { manager, reconciler } = managerWith(async () => ({ result: 'absent' }));
  expect(manager.ready).toBe(false);
  await manager.start();
  expect(lists).toBe(before + 1);
  expect(manager.ready).toBe(true);
  await reconciler().started(1);
  expect(manager.isLeader).toBe(true);
  await manager.stop();
});

test('a change while a reconcile waits on the cloud releases it, and the change is taken up at once', async () => {
  const { manager, watch, reconciler } = managerWith(async (_pass, release, term) => {
    // Every pass would wait a minute on the cloud, unless released (or its term ends).
    await Promise.race([
      untilAborted(release),
      untilAborted(term),
      new Promise((resolve) => setTimeout(resolve, 60_000).unref()),
    ]);
    return { result: 'progressing', requeueAfterMs: 60_000 };
  });
  await manager.start();
  watch().emit('add', object(1));
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The pass under way now waits (the add may have released the first one the election started).
  const waiting = reconciler().passes.length;
  expect(reconciler().passes[waiting - 1]!.release?.aborted).toBe(false);
  watch().emit('update', object(2));
  // The next pass starts long before the waiting pass's minute or its requeue: the change released it.
  await reconciler().started(waiting + 1);
  expect(reconciler().passes[waiting - 1]!.release?.aborted).toBe(true);
  expect(reconciler().passes[waiting]!.release?.aborted).toBe(false);
  await manager.stop();
});

test('status writes, resourceVersion churn and its own claim wake nothing; a spec change, a request or a deletion does', async () => {
  let passes = 0;
  const { manager, watch, reconciler } = managerWith(async () => {
    passes += 1;
    return { result: 'converged' };
  });
  await manager.start();
  watch().emit('add', object(1));
  await reconciler().started(1);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  await settle();
  const quiet = passes;
  watch().emit('update', object(1, {}, { status: 'Available' }));
  watch().emit('update', object(1, { annotations: { [ANNOTATION_CONTROLLER]: 'ns/lease' }, finalizers: [FINALIZER] }));
  watch().emit(
    'update',
    object(1, {
      annotations: { [ANNOTATION_CONTROLLER]: 'ns/lease', [ANNOTATION_KEPT_STATUS]: '{}' },
      finalizers: [FINALIZER],
    }),
  );
  await settle();
  expect(passes).toBe(quiet);
  watch().emit(
    'update',
    object(1, { annotations: { [ANNOTATION_CONTROLLER]: 'ns/lease', [ANNOTATION_RECONCILE_REQUEST]: 'r1' } }),
  );
  await reconciler().started(quiet + 1);
  watch().emit(
    'update',
    object(2, { annotations: { [ANNOTATION_CONTROLLER]: 'ns/lease', [ANNOTATION_RECONCILE_REQUEST]: 'r1' } }),
  );
  await reconciler().started(quiet + 2);
  watch().emit(
    'update',
    object(2, {
      annotations: { [ANNOTATION_CONTROLLER]: 'ns/lease', [ANNOTATION_RECONCILE_REQUEST]: 'r1' },
      deletionTimestamp: new Date(),
    }),
  );
  await reconciler().started(quiet + 3);
  // Another object than the singleton is not ours to reconcile.
  watch().emit('update', { ...object(9), metadata: { name: 'other', generation: 9 } });
  await settle();
  expect(passes).toBe(quiet + 3);
  await manager.stop();
});

test('a requeue comes back by itself; a failure waits out its backoff; the results are counted', async () => {
  const { manager, metrics, watch, reconciler } = managerWith(async (pass) =>
    pass === 1
      ? { result: 'progressing', requeueAfterMs: 10 }
      : pass === 2
        ? { result: 'failed', error: 'boom' }
        : { result: 'converged' },
  );
  await manager.start();
  watch().emit('add', object(1));
  await reconciler().started(2);
  // The backoff after the failure is a minute: no third pass comes by itself.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(reconciler().passes).toHaveLength(2);
  const counted = async (result: string) =>
    (await metrics.reconciles.get()).values.find((value) => value.labels.result === result)?.value;
  expect(await counted('progressing')).toBe(1);
  expect(await counted('failed')).toBe(1);
  // A change does not wait out the backoff.
  watch().emit('update', object(2));
  await reconciler().started(3);
  await manager.stop();
});

test('stop() cancels the reconcile under way through its term and resolves once it has ended', async () => {
  let ended = false;
  const { manager, watch, reconciler } = managerWith(async (_pass, _release, term) => {
    await untilAborted(term);
    ended = true;
    return { result: 'cancelled' };
  });
  await manager.start();
  watch().emit('add', object(1));
  await reconciler().started(1);
  await manager.stop();
  expect(ended).toBe(true);
  expect(reconciler().passes[0]!.term.aborted).toBe(true);
});
