import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOUD_ACTIONS } from '../../engine/cloud/catalogue';
import { catalogueTable, serves, TABLE_END, TABLE_START } from './catalogue';

test('the emulator serves every action in the catalogue', () => {
  expect(CLOUD_ACTIONS.filter((entry) => !serves(entry)).map((entry) => entry.ramAction)).toEqual([]);
});

test('the README table of RAM actions is the one the catalogue renders', () => {
  const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  expect(start).toBeGreaterThan(-1);
  const inReadme = readme.slice(start + TABLE_START.length, end).trim();
  // On a change to the catalogue, paste catalogueTable() between the markers.
  expect(inReadme).toBe(catalogueTable());
});
