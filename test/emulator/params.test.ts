import { RpcParams } from './params';
import { refusal } from './testing/refusal';

const refusedWith = (run: () => unknown): string => refusal(run).code;

const params = (entries: Record<string, string>) => new RpcParams(Object.entries(entries));

describe('RpcParams', () => {
  it('reads required and optional strings, empty meaning absent', () => {
    expect(params({ VpcId: 'vpc-1' }).requiredString('VpcId')).toBe('vpc-1');
    expect(refusedWith(() => params({ VpcId: '' }).requiredString('VpcId'))).toBe('MissingParam.VpcId');
    expect(params({}).optionalString('VpcId')).toBeUndefined();
    expect(refusedWith(() => params({ Name: 'x'.repeat(5) }).optionalString('Name', { maxLength: 4 }))).toBe(
      'IllegalParamFormat.Name',
    );
  });

  it('reads booleans and bounded integers strictly', () => {
    expect(params({ DryRun: 'true' }).optionalBoolean('DryRun')).toBe(true);
    expect(refusedWith(() => params({ DryRun: 'TRUE' }).optionalBoolean('DryRun'))).toBe('IllegalParamFormat.DryRun');
    expect(params({ MaxResults: '50' }).optionalInteger('MaxResults', { min: 1, max: 50 })).toBe(50);
    expect(refusedWith(() => params({ MaxResults: '1.5' }).optionalInteger('MaxResults', { min: 1, max: 50 }))).toBe(
      'IllegalParamFormat.MaxResults',
    );
  });

  it('reads repeated lists 1..N in index order and refuses gaps', () => {
    expect(
      params({ 'SecurityGroupId.2': 'sg-b', 'SecurityGroupId.1': 'sg-a' }).repeatList('SecurityGroupId', { max: 10 }),
    ).toEqual(['sg-a', 'sg-b']);
    expect(
      refusedWith(() =>
        params({ 'SecurityGroupId.1': 'a', 'SecurityGroupId.3': 'c' }).repeatList('SecurityGroupId', { max: 10 }),
      ),
    ).toBe('IllegalParamFormat.SecurityGroupId.3');
    expect(
      refusedWith(() => params({ 'ResourceId.1': 'a', 'ResourceId.2': 'b' }).repeatList('ResourceId', { max: 1 })),
    ).toBe('IllegalParamFormat.ResourceId');
  });

  it('reads repeated objects and tags', () => {
    const zones = params({
      'Zone.2.ZoneId': 'z2',
      'Zone.1.ZoneId': 'z1',
      'Zone.1.VSwitchId': 'vsw-1',
      'Zone.1.ip': '10.0.0.9',
    }).repeatObjects('Zone', { max: 10 });
    expect(zones.map(({ index, fields }) => [index, Object.fromEntries(fields)])).toEqual([
      [1, { ZoneId: 'z1', VSwitchId: 'vsw-1', ip: '10.0.0.9' }],
      [2, { ZoneId: 'z2' }],
    ]);
    expect(params({ 'Tag.1.Key': 'k', 'Tag.2.Key': 'only-key' }).tags()).toEqual([
      { key: 'k', value: '' },
      { key: 'only-key', value: '' },
    ]);
    expect(refusedWith(() => params({ 'Tag.1.Value': 'v' }).tags())).toBe('MissingParam.Tag.1.Key');
    expect(refusedWith(() => params({ 'Tag.x.Key': 'k' }).tags())).toBe('IllegalParamFormat.Tag.x.Key');
  });

  it('ends a passing DryRun with DryRunOperation', () => {
    expect(refusedWith(() => params({ DryRun: 'true' }).endDryRun())).toBe('DryRunOperation');
    expect(() => params({ DryRun: 'false' }).endDryRun()).not.toThrow();
  });
});
