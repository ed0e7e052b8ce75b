/**
 * Zone arithmetic. A zone id is its region id plus a zone letter: `cn-hangzhou` + `-j`, but regions
 * that end in a digit append the letter directly: `ap-southeast-1` + `a`.
 */

const ZONE_ID = /^[a-z]+(-[a-z]+)*(-[0-9]+[a-z]|-[a-z])$/;

/** The region a zone belongs to, or undefined when the text is not a zone id. */
export function regionOfZone(zoneId: string): string | undefined {
  if (!ZONE_ID.test(zoneId)) return undefined;
  const withoutLetter = zoneId.slice(0, -1);
  return withoutLetter.endsWith('-') ? withoutLetter.slice(0, -1) : withoutLetter;
}

/** Sorted, de-duplicated zone ids, for stable messages. */
export function sortedZones(zones: Iterable<string>): string[] {
  return [...new Set(zones)].sort();
}

/** Zones present on both sides: where PrivateLink can place an endpoint for this pair. */
export function pairedZones(ackZones: Iterable<string>, asmZones: Iterable<string>): string[] {
  const asm = new Set(asmZones);
  return sortedZones([...ackZones].filter((zone) => asm.has(zone)));
}

/** `a`, `a and b`, `a, b and c`: a list for a sentence. */
export function listForSentence(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
