// Identifier shapes as the cloud hands them out, from a seedable generator so that a world or a
// test run can be reproduced exactly.

/** A small, fast, seedable PRNG (mulberry32); `Math.random` cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Hands out identifiers in the shapes the real products use. */
export class IdSource {
  constructor(private readonly random: () => number) {}

  private pick(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }

  /** ACK cluster and ASM mesh ids: `c` + 32 lower-case hex. */
  clusterId(): string {
    return `c${this.pick(HEX, 32)}`;
  }

  /** `vpc-bp1...`, 21 characters after the dash like current ids. */
  vpcId(): string {
    return `vpc-bp1${this.pick(LOWER_ALNUM, 18)}`;
  }

  /** `vsw-` + 21 lower-case alphanumerics. */
  vSwitchId(): string {
    return `vsw-bp1${this.pick(LOWER_ALNUM, 18)}`;
  }

  securityGroupId(): string {
    return `sg-bp1${this.pick(LOWER_ALNUM, 17)}`;
  }

  loadBalancerId(): string {
    return `lb-bp1${this.pick(LOWER_ALNUM, 18)}`;
  }

  /** Endpoint service ids look like `epsrv-bp1gqb8g1b8d7uactd` (18 after the dash). */
  endpointServiceId(): string {
    return `epsrv-bp1${this.pick(LOWER_ALNUM, 15)}`;
  }

  /** Endpoint ids look like `ep-bp1i06bad79eb60c60` (18 after the dash). */
  endpointId(): string {
    return `ep-bp1${this.pick(LOWER_ALNUM, 15)}`;
  }

  eniId(): string {
    return `eni-bp1${this.pick(LOWER_ALNUM, 17)}`;
  }

  /** ACK task ids: `T-` + 24 hex. */
  taskId(): string {
    return `T-${this.pick(HEX, 24)}`;
  }

  accountId(): string {
    return `1${this.pick('0123456789', 15)}`;
  }

  accessKeyId(): string {
    return `LTAI5t${this.pick(UPPER_ALNUM, 18)}`;
  }

  accessKeySecret(): string {
    return this.pick(UPPER_ALNUM, 30);
  }

  /** Request ids are upper-case UUIDs. */
  requestId(): string {
    const hex = this.pick(HEX, 32).toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Order ids are long decimal numbers. */
  orderId(): string {
    return `2${this.pick('0123456789', 14)}`;
  }
}
