import { ANNOTATION_DELETION_POLICY, ANNOTATION_SAN_SYNC } from '../../core';
import { ANNOTATION_KEPT_STATUS, annotationsKeeping, prunedFields, prunedStatus, withKeptFields } from './kept-fields';
import type { AsmPvlStatus, StoredConfig } from './kube';

const READY = {
  type: 'Ready',
  status: 'True' as const,
  reason: 'Available',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

function stored(annotations: Record<string, string>, spec: object = {}, status?: object): StoredConfig {
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default', annotations },
    spec: { asmVpcEndpoint: { vSwitches: [] }, ...spec },
    ...(status ? { status } : {}),
  };
}

describe('withKeptFields', () => {
  test('fills the spec fields a CRD pruned from their annotations', () => {
    const read = withKeptFields(stored({ [ANNOTATION_DELETION_POLICY]: 'Orphan', [ANNOTATION_SAN_SYNC]: 'Disabled' }));
    expect(read.spec.deletionPolicy).toBe('Orphan');
    expect(read.spec.sanSync).toBe('Disabled');
  });

  test('a field the server kept wins over its annotation', () => {
    const read = withKeptFields(stored({ [ANNOTATION_DELETION_POLICY]: 'Orphan' }, { deletionPolicy: 'Delete' }));
    expect(read.spec.deletionPolicy).toBe('Delete');
  });

  test('a misspelt annotation never deletes: a deletion policy reads as Orphan, a SAN sync as absent', () => {
    const read = withKeptFields(stored({ [ANNOTATION_DELETION_POLICY]: 'delete', [ANNOTATION_SAN_SYNC]: 'off' }));
    expect(read.spec.deletionPolicy).toBe('Orphan');
    expect(read.spec.sanSync).toBeUndefined();
  });

  test('fills the status fields from the kept-status annotation, next to the vendor fields', () => {
    const kept = JSON.stringify({ observedGeneration: 3, lastHandledReconcileAt: 'r1', conditions: [READY] });
    const read = withKeptFields(stored({ [ANNOTATION_KEPT_STATUS]: kept }, {}, { status: 'Available' }));
    expect(read.status).toEqual({
      status: 'Available',
      observedGeneration: 3,
      lastHandledReconcileAt: 'r1',
      conditions: [READY],
    });
  });

  test('a kept-status annotation that is not a JSON object is ignored', () => {
    const read = withKeptFields(stored({ [ANNOTATION_KEPT_STATUS]: '[1' }, {}, { status: 'Available' }));
    expect(read.status).toEqual({ status: 'Available' });
  });

  test('an object without annotations is returned as it is', () => {
    const object = stored({});
    expect(withKeptFields(object)).toBe(object);
  });
});

describe('prunedStatus and annotationsKeeping', () => {
  test('names what the server dropped from a status write', () => {
    const sent: AsmPvlStatus = { status: 'Available', observedGeneration: 2, conditions: [READY] };
    expect(prunedStatus(sent, { status: 'Available' })).toEqual({ observedGeneration: 2, conditions: [READY] });
    expect(prunedStatus(sent, sent)).toEqual({});
  });

  test('writes the pruned fields once, and removes them once nothing is pruned', () => {
    const annotations = annotationsKeeping({ other: 'x' }, { observedGeneration: 2 });
    expect(annotations).toEqual({ other: 'x', [ANNOTATION_KEPT_STATUS]: '{"observedGeneration":2}' });
    expect(annotationsKeeping(annotations, { observedGeneration: 2 })).toBeUndefined();
    expect(annotationsKeeping(annotations, {})).toEqual({ other: 'x' });
    expect(annotationsKeeping({ other: 'x' }, {})).toBeUndefined();
  });
});

describe('prunedFields', () => {
  const leaf = {};
  test('asmpvl’s own schema keeps every field', () => {
    const own = {
      properties: {
        spec: { properties: { deletionPolicy: leaf, sanSync: leaf } },
        status: {
          properties: { observedGeneration: leaf, lastHandledReconcileAt: leaf, conditions: leaf, mesh: leaf },
        },
      },
    };
    expect(prunedFields(own)).toEqual([]);
  });

  test('a schema of the contract alone prunes them all; preserve-unknown keeps what is under it', () => {
    const contract = { properties: { spec: { properties: { ackVpcEndpoint: leaf } }, status: { properties: {} } } };
    expect(prunedFields(contract)).toEqual([
      'spec.deletionPolicy',
      'spec.sanSync',
      'status.observedGeneration',
      'status.lastHandledReconcileAt',
      'status.conditions',
      'status.mesh',
    ]);
    const open = {
      properties: { spec: contract.properties.spec, status: { 'x-kubernetes-preserve-unknown-fields': true } },
    };
    expect(prunedFields(open)).toEqual(['spec.deletionPolicy', 'spec.sanSync']);
  });
});
