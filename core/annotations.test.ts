import { checkSpecAnnotations, specAnnotationValues } from './annotations';
import { validateConfig } from './validate';

const withAnnotations = (annotations: unknown) => ({ metadata: { name: 'default', annotations } });

describe('annotations standing for spec fields', () => {
  test('the values the fields take pass', () => {
    expect(
      checkSpecAnnotations(
        withAnnotations({ 'asmpvl.io/deletion-policy': 'Orphan', 'asmpvl.io/san-sync': 'Disabled' }),
      ),
    ).toEqual([]);
  });

  test('anything else is named with the field it stands for and the values it takes', () => {
    expect(
      checkSpecAnnotations(withAnnotations({ 'asmpvl.io/deletion-policy': 'delete', 'asmpvl.io/san-sync': 7 })),
    ).toEqual([
      {
        path: 'metadata.annotations[asmpvl.io/deletion-policy]',
        message: 'must be Delete or Orphan (it stands for spec.deletionPolicy), got "delete"',
      },
      {
        path: 'metadata.annotations[asmpvl.io/san-sync]',
        message: 'must be Enabled or Disabled (it stands for spec.sanSync), got 7',
      },
    ]);
  });

  test('a huge or wrongly typed value is cut short or named by its type, and other annotations are not read', () => {
    const findings = checkSpecAnnotations(
      withAnnotations({ 'asmpvl.io/deletion-policy': 'x'.repeat(1_000_000), other: { deep: [] } }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message.length).toBeLessThan(200);
    expect(checkSpecAnnotations(withAnnotations({ 'asmpvl.io/san-sync': { a: 1 } }))[0]!.message).toContain(
      'got an object',
    );
    expect(checkSpecAnnotations(withAnnotations('not an object'))).toEqual([]);
    expect(specAnnotationValues(withAnnotations({ other: 'x' })).size).toBe(0);
  });

  test('validation reports them with the rest', () => {
    const result = validateConfig({
      apiVersion: 'istio.alibabacloud.com/v1beta1',
      kind: 'ASMPvlConfig',
      ...withAnnotations({ 'asmpvl.io/deletion-policy': 'Keep' }),
    });
    expect(result.errors.map((finding) => finding.path)).toContain('metadata.annotations[asmpvl.io/deletion-policy]');
  });
});
