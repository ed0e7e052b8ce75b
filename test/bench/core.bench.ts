import { performance } from 'node:perf_hooks';
import { checkConfig, judgedView, measureShape, validateConfig } from '../../core';
import { clustersNeedingRewrites } from '../arbitraries/hostile';

/** An ASMPvlConfig with `clusters` clusters, each with two vSwitches paired with the mesh's zones. */
export function configWithClusters(clusters: number): unknown {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const vsw = (n: number) => `vsw-bp1${n.toString(36).padStart(18, '0')}`;
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default' },
    spec: {
      sanSync: 'Enabled',
      ackVpcEndpoint: Array.from({ length: clusters }, (_, i) => ({
        clusterId: `c${hex(i, 32)}`,
        vSwitches: [
          { vSwitchId: vsw(10 + 2 * i), zoneId: 'cn-hangzhou-i' },
          { vSwitchId: vsw(11 + 2 * i), zoneId: 'cn-hangzhou-j' },
        ],
      })),
      asmVpcEndpoint: {
        vSwitches: [
          { vSwitchId: vsw(1), zoneId: 'cn-hangzhou-i' },
          { vSwitchId: vsw(2), zoneId: 'cn-hangzhou-j' },
        ],
      },
    },
  };
}

/** Mean time of `fn` over as many runs as fit in `budgetMs` (after a warm-up), in microseconds. */
export function timePerCall(fn: () => void, budgetMs = 400): { microseconds: number; runs: number } {
  for (let i = 0; i < 20; i++) fn();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    fn();
    runs++;
  }
  return { microseconds: ((performance.now() - start) * 1000) / runs, runs };
}

export interface CoreBenchRow {
  clusters: number;
  validateMicroseconds: number;
  checkMicroseconds: number;
  microsecondsPerCluster: number;
}

/** Validation cost per object at growing sizes: it must grow linearly with the cluster count. */
export function benchCore(sizes = [1, 10, 100, 1000]): CoreBenchRow[] {
  return sizes.map((clusters) => {
    const object = configWithClusters(clusters);
    if (checkConfig(object).errors.length > 0) throw new Error(`bench object with ${clusters} clusters is not valid`);
    const validate = timePerCall(() => validateConfig(object));
    const check = timePerCall(() => checkConfig(object));
    return {
      clusters,
      validateMicroseconds: validate.microseconds,
      checkMicroseconds: check.microseconds,
      microsecondsPerCluster: check.microseconds / clusters,
    };
  });
}

export interface ScaleBenchRow {
  clusters: number;
  /** Values in the object the core reads; past MAX_OBJECT_VALUES it is refused in one finding. */
  values: number;
  checkMilliseconds: number;
  microsecondsPerCluster: number;
  patchOperations: number;
  refused: boolean;
}

/**
 * Normalise + validate of objects whose ids all need rewriting and whose every cluster repeats a
 * vSwitch (issue 13: quadratic before, seconds at 20,000 clusters). It must grow linearly up to the
 * core's bound on values; past it (20,000 such clusters) the object is refused in one finding.
 */
export function benchCoreAtScale(sizes = [1_000, 5_000, 10_000, 11_000, 20_000]): ScaleBenchRow[] {
  return sizes.map((clusters) => {
    const object = clustersNeedingRewrites(clusters);
    const values = measureShape(judgedView(object)).values;
    const result = checkConfig(object);
    checkConfig(object);
    // The median of five runs: at these sizes one run is tens to hundreds of milliseconds.
    const runs = Array.from({ length: 5 }, () => {
      const started = performance.now();
      checkConfig(object);
      return performance.now() - started;
    }).sort((a, b) => a - b);
    const milliseconds = runs[2]!;
    return {
      clusters,
      values,
      checkMilliseconds: milliseconds,
      microsecondsPerCluster: (milliseconds * 1000) / clusters,
      patchOperations: result.patch.length,
      refused: result.errors.some((error) => /more than \d+ values/.test(error.message)),
    };
  });
}
