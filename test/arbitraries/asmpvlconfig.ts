import fc from 'fast-check';

/** Generators of ASMPvlConfig objects for property tests. */

const hex = fc.constantFrom(...'0123456789abcdef'.split(''));
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));

export const clusterIdArb = fc.array(hex, { minLength: 32, maxLength: 32 }).map((chars) => `c${chars.join('')}`);
export const vSwitchIdArb = fc.array(alnum, { minLength: 21, maxLength: 21 }).map((chars) => `vsw-${chars.join('')}`);
const zones = ['cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k'] as const;

/** Valid objects by construction: unique ids, one region, every vSwitch in a zone the other side has. */
export const validConfigArb = fc
  .record({
    asmZones: fc.subarray([...zones], { minLength: 1 }),
    clusterCount: fc.integer({ min: 0, max: 6 }),
    ids: fc.uniqueArray(vSwitchIdArb, { minLength: 40, maxLength: 40 }),
    clusterIds: fc.uniqueArray(clusterIdArb, { minLength: 6, maxLength: 6 }),
    sanSync: fc.option(fc.constantFrom('Enabled', 'Disabled'), { nil: undefined }),
  })
  .chain(({ asmZones, clusterCount, ids, clusterIds, sanSync }) =>
    fc
      .array(fc.subarray(asmZones, { minLength: 1 }), { minLength: clusterCount, maxLength: clusterCount })
      .map((clusterZones) => {
        let next = 0;
        const vSwitch = (zoneId: string) => ({ vSwitchId: ids[next++]!, zoneId });
        // Each ASM zone is used by some cluster, or there is no cluster at all: nothing idle, nothing unpaired.
        const used = new Set(clusterZones.flat());
        const asm = clusterCount === 0 ? asmZones : asmZones.filter((zone) => used.has(zone));
        return {
          apiVersion: 'istio.alibabacloud.com/v1beta1',
          kind: 'ASMPvlConfig',
          metadata: { name: 'default' },
          spec: {
            ...(sanSync === undefined ? {} : { sanSync }),
            ackVpcEndpoint: clusterZones.map((zonesOfCluster, index) => ({
              clusterId: clusterIds[index]!,
              vSwitches: zonesOfCluster.map(vSwitch),
            })),
            asmVpcEndpoint: { vSwitches: asm.map(vSwitch) },
          },
        };
      }),
  );

type Json = unknown;

/** Sets `value` at a random path inside `object` (a copy), the way a careless edit would. */
export function setAtRandomPath(object: Json, choices: number[], value: Json): Json {
  const copy = structuredClone(object);
  let node: Json = copy;
  for (const choice of choices) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[choice % keys.length]!;
    const child = (node as Record<string, Json>)[key];
    if (typeof child !== 'object' || child === null || choice % 3 === 0) {
      (node as Record<string, Json>)[key] = value;
      return copy;
    }
    node = child;
  }
  return copy;
}
