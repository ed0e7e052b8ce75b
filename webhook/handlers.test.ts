import { applyPatch } from 'fast-json-patch';
import { NAME_RULE_MESSAGE } from '../core';
import { loadFixture } from '../test/fixtures';
import type { AdmissionReview } from './admission';
import { mutate, validate } from './handlers';

const requestOf = (name: string) => (loadFixture(`admission/${name}`) as unknown as AdmissionReview).request!;
const options = { zonePolicy: 'overlap' as const };
const decodePatch = (patch: string) => JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));
/** The request as the validating webhook sees it: after the mutating webhook's patch, as the API server orders them. */
const afterMutation = (request: ReturnType<typeof requestOf>) => {
  const patch = mutate(request, options).patch;
  return patch
    ? { ...request, object: applyPatch(structuredClone(request.object), decodePatch(patch)).newDocument }
    : request;
};

const vendorMessage =
  'ASMPvlConfig "default" is invalid: spec.ackVpcEndpoint[0].vSwitches: cluster c0123456789abcdef0123456789abcdef has vSwitches only in zone cn-hangzhou-j ' +
  'and the ASM vSwitches are only in zone cn-hangzhou-i, so no zone pairs: PrivateLink places an endpoint only in a zone both sides share. ' +
  'Add a vSwitch in cn-hangzhou-i to the cluster, or an ASM vSwitch in cn-hangzhou-j';

describe('mutate', () => {
  test('CREATE: answers the minimal JSON Patch, base64, with patchType', () => {
    const request = requestOf('create-needs-normalising.json');
    const response = mutate(request, options);
    expect(response).toEqual({
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      allowed: true,
      patchType: 'JSONPatch',
      patch: expect.any(String),
    });
    const patch = decodePatch(response.patch!);
    expect(patch).toEqual([
      { op: 'replace', path: '/spec/ackVpcEndpoint/0/clusterId', value: 'c0123456789abcdef0123456789abcdef' },
      { op: 'add', path: '/spec/sanSync', value: 'Enabled' },
      { op: 'add', path: '/spec/deletionPolicy', value: 'Delete' },
    ]);
    const mutated = applyPatch(structuredClone(request.object), patch).newDocument;
    expect(mutate({ ...request, object: mutated }, options)).toEqual({ uid: request.uid, allowed: true });
  });

  test('an already-normalised object gets no patch at all', () => {
    const request = requestOf('update-breaks-zones.json');
    expect(mutate({ ...request, object: request.oldObject }, options)).toEqual({ uid: request.uid, allowed: true });
  });

  test('never touches status or metadata', () => {
    const request = requestOf('update-breaks-zones.json');
    const object = structuredClone(request.object) as Record<string, unknown>;
    (object.spec as Record<string, unknown>).sanSync = undefined;
    const response = mutate({ ...request, object: { ...object, status: { status: ' weird ' } } }, options);
    const paths = response.patch ? decodePatch(response.patch).map((op: { path: string }) => op.path) : [];
    expect(paths.every((path: string) => path.startsWith('/spec/'))).toBe(true);
  });

  test('dropped duplicates come back as warnings', () => {
    const request = requestOf('create-needs-normalising.json');
    const object = structuredClone(request.object) as { spec: { asmVpcEndpoint: { vSwitches: unknown[] } } };
    object.spec.asmVpcEndpoint.vSwitches.push(object.spec.asmVpcEndpoint.vSwitches[0]);
    const response = mutate({ ...request, object }, options);
    expect(response.warnings).toEqual([
      'spec.asmVpcEndpoint.vSwitches[1]: duplicate of spec.asmVpcEndpoint.vSwitches[0] (vSwitch vsw-bp1l5hini55sstnwd2skf in cn-hangzhou-j); dropped',
    ]);
    expect(decodePatch(response.patch!)).toContainEqual({ op: 'remove', path: '/spec/asmVpcEndpoint/vSwitches/1' });
  });

  test('DELETE passes untouched', () => {
    expect(mutate(requestOf('delete.json'), options)).toEqual({
      uid: '6a3d0c5e-1f7b-4c9d-8e3f-4a5b6c7d8e9f',
      allowed: true,
    });
  });
});

describe('validate', () => {
  test("CREATE of the vendor's example is denied with 422 Invalid, naming both zones", () => {
    expect(validate(requestOf('create-vendor-example.json'), options)).toEqual({
      uid: '8a1d0c4e-1b2f-4c3d-9e5f-6a7b8c9d0e1f',
      allowed: false,
      status: {
        code: 422,
        reason: 'Invalid',
        message: vendorMessage,
      },
    });
  });

  test('a dry run gets exactly the same answer', () => {
    const real = validate(requestOf('create-vendor-example.json'), options);
    const dryRun = validate(requestOf('create-dry-run-vendor-example.json'), options);
    expect({ ...dryRun, uid: real.uid }).toEqual(real);
  });

  test('a wrong name is denied with the name rule', () => {
    const response = validate(afterMutation(requestOf('create-wrong-name.json')), options);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`ASMPvlConfig "foo" is invalid: metadata.name: ${NAME_RULE_MESSAGE}`);
  });

  test('generateName without a name (request.name empty) is denied and named by its prefix', () => {
    const response = validate(afterMutation(requestOf('create-generate-name.json')), options);
    expect(response.status?.message).toBe(`ASMPvlConfig "asmpvl-*" is invalid: metadata.name: ${NAME_RULE_MESSAGE}`);
  });

  test('an UPDATE that breaks the zones is denied', () => {
    const response = validate(requestOf('update-breaks-zones.json'), options);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(vendorMessage);
  });

  test('a valid object is allowed, with warnings for unpaired vSwitches', () => {
    const request = requestOf('update-breaks-zones.json');
    const object = structuredClone(request.oldObject) as { spec: { asmVpcEndpoint: { vSwitches: unknown[] } } };
    object.spec.asmVpcEndpoint.vSwitches.push({ vSwitchId: 'vsw-bp1p3s7vk2wq9c6d1n0uz', zoneId: 'cn-hangzhou-i' });
    expect(validate({ ...request, object }, options)).toEqual({
      uid: request.uid,
      allowed: true,
      warnings: [
        'spec.asmVpcEndpoint.vSwitches[1]: vSwitch vsw-bp1p3s7vk2wq9c6d1n0uz in zone cn-hangzhou-i serves no cluster, since no cluster has a vSwitch in that zone; add one there or remove it',
      ],
    });
    expect(validate({ ...request, object }, { zonePolicy: 'strict' }).allowed).toBe(false);
  });

  describe('only what a write changes is judged', () => {
    // Stored when the zones paired loosely, then the webhook went strict: the stored spec breaks the rules now.
    const stored = () => {
      const request = requestOf('update-breaks-zones.json');
      const old = structuredClone(request.oldObject) as {
        metadata: Record<string, unknown>;
        spec: { asmVpcEndpoint: { vSwitches: unknown[] } };
      };
      old.spec.asmVpcEndpoint.vSwitches.push({ vSwitchId: 'vsw-bp1p3s7vk2wq9c6d1n0uz', zoneId: 'cn-hangzhou-i' });
      old.metadata.finalizers = ['asmpvl.io/cloud-resources'];
      return { request, old };
    };
    const strict = { zonePolicy: 'strict' as const };

    test('an UPDATE of metadata alone passes though the stored spec breaks a rule tightened since', () => {
      const { request, old } = stored();
      // As a new object it would be denied.
      expect(validate({ ...request, operation: 'CREATE', oldObject: undefined, object: old }, strict).allowed).toBe(
        false,
      );
      const annotated = structuredClone(old);
      annotated.metadata.annotations = { note: 'x' };
      expect(validate({ ...request, oldObject: old, object: annotated }, strict)).toEqual({
        uid: request.uid,
        allowed: true,
      });
      expect(mutate({ ...request, oldObject: old, object: annotated }, strict)).toEqual({
        uid: request.uid,
        allowed: true,
      });
    });

    test('the finalizer of an object being deleted is removed, whatever its spec', () => {
      const { request, old } = stored();
      old.metadata.deletionTimestamp = '2026-11-25T13:00:00Z';
      const released = structuredClone(old);
      released.metadata.finalizers = [];
      released.spec.asmVpcEndpoint.vSwitches = [];
      expect(validate({ ...request, oldObject: old, object: released }, strict).allowed).toBe(true);
      expect(mutate({ ...request, oldObject: old, object: released }, strict)).toEqual({
        uid: request.uid,
        allowed: true,
      });
    });

    test('an UPDATE that changes the spec is judged by the rules of now', () => {
      const { request, old } = stored();
      const edited = structuredClone(old);
      edited.spec.asmVpcEndpoint.vSwitches.reverse();
      const response = validate({ ...request, oldObject: old, object: edited }, strict);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain('cn-hangzhou-i');
    });

    test('an UPDATE that sets an annotation standing for a spec field is judged: a value the field does not take is denied', () => {
      const request = requestOf('update-breaks-zones.json');
      const old = structuredClone(request.oldObject) as { metadata: Record<string, unknown> };
      const misspelt = structuredClone(old);
      misspelt.metadata.annotations = { 'asmpvl.io/deletion-policy': 'Delet' };
      const response = validate({ ...request, oldObject: old, object: misspelt, operation: 'UPDATE' }, options);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain(
        'metadata.annotations[asmpvl.io/deletion-policy]: must be Delete or Orphan (it stands for spec.deletionPolicy), got "Delet"',
      );
      // The same annotation already stored, with another annotation edited: not judged again.
      const other = structuredClone(misspelt);
      (other.metadata.annotations as Record<string, string>).note = 'x';
      expect(validate({ ...request, oldObject: misspelt, object: other }, options).allowed).toBe(true);
    });

    test('an UPDATE whose old or new spec is nested 100,000 levels deep is answered, never a stack overflow', () => {
      const { request, old } = stored();
      let deep: Record<string, unknown> = {};
      for (let level = 0; level < 100_000; level++) deep = { next: deep };
      const deepSpec = { ...old, spec: { ...old.spec, extra: deep } };
      const oldDeep = validate({ ...request, oldObject: deepSpec, object: old }, options);
      expect(oldDeep.allowed).toBe(true);
      const newDeep = validate({ ...request, oldObject: old, object: deepSpec }, options);
      expect(newDeep.allowed).toBe(false);
      expect(newDeep.status?.message).toContain('nested more than');
      expect(mutate({ ...request, oldObject: old, object: deepSpec }, options).allowed).toBe(true);
    });
  });

  test('DELETE and status writes pass', () => {
    expect(validate(requestOf('delete.json'), options)).toEqual({
      uid: '6a3d0c5e-1f7b-4c9d-8e3f-4a5b6c7d8e9f',
      allowed: true,
    });
    expect(validate({ ...requestOf('create-vendor-example.json'), subResource: 'status' }, options).allowed).toBe(true);
  });
});
