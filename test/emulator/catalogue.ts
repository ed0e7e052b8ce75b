// The emulator's side of engine/cloud/catalogue.ts: which emulated product serves each catalogued
// action, and the README's table of them, rendered from the catalogue so it cannot drift
// (catalogue.test.ts compares it with test/emulator/README.md).
import { CLOUD_ACTIONS, type CatalogueEntry } from '../../engine/cloud/catalogue';
import { PRODUCTS } from './products';
import type { Product } from './products/product';

/** The emulated product an entry's calls go to (the emulator names products by their RAM codes). */
export function emulatedProduct(entry: CatalogueEntry): Product | undefined {
  const code = entry.ramAction.slice(0, entry.ramAction.indexOf(':'));
  return PRODUCTS.find((product) => product.name === code);
}

/** Whether the emulator serves the entry's action. */
export function serves(entry: CatalogueEntry): boolean {
  const product = emulatedProduct(entry);
  if (!product) return false;
  return product.style === 'RPC'
    ? Object.hasOwn(product.actions, entry.action)
    : product.routes.some((route) => route.action === entry.action);
}

const yes = (value: boolean) => (value ? 'yes' : '—');

const PROBES: Record<CatalogueEntry['probe'], string> = {
  'dry-run': 'DryRun',
  read: 'the read',
  'absent-resource': 'a call on an id no one owns',
};

/** The Markdown table of every catalogued action, as the README holds it between its markers. */
export function catalogueTable(): string {
  const rows = [
    ['product', 'action', 'RAM action', 'writes', 'DryRun', 'doctor checks with'],
    ...CLOUD_ACTIONS.map((entry) => [
      entry.product,
      entry.action,
      `\`${entry.ramAction}\``,
      yes(entry.mutating),
      yes(entry.dryRun),
      entry.governed ? PROBES[entry.probe] : '— (RAM does not govern it)',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export const TABLE_START =
  '<!-- catalogue:start (generated from engine/cloud/catalogue.ts; see test/emulator/catalogue.test.ts) -->';
export const TABLE_END = '<!-- catalogue:end -->';
