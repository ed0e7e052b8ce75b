import { parse } from 'yaml';
import { fixtureNames, loadFixture } from '../../test/fixtures';
import { renderStatus, renderStatusTable } from './status-table';
import { statusView } from './status-view';

type Config = Parameters<typeof renderStatusTable>[0];
const status = (name: string) => loadFixture(`status/${name}.yaml`) as unknown as Config;

describe('renderStatusTable', () => {
  test.each(fixtureNames('status').map((path) => path.replace(/^status\/|\.yaml$/g, '')))('%s', (name) => {
    expect(renderStatusTable(status(name))).toMatchSnapshot('table');
    expect(renderStatusTable(status(name), { wide: true })).toMatchSnapshot('wide');
  });

  test('every line of the table is trimmed and the columns line up under their headers', () => {
    const lines = renderStatusTable(status('available')).split('\n');
    expect(lines.every((line) => line === line.trimEnd())).toBe(true);
    const header = lines[0]!;
    for (const column of ['PAIRED ZONES', 'API SERVER LINK', 'PILOT LINK', 'SAN', 'MESH']) {
      const start = header.indexOf(column);
      for (const row of lines.slice(1, 3)) expect(row.slice(start - 3, start + 1)).toMatch(/^ {3}\S$/);
    }
    expect(lines[1]).toMatch(
      /^c84974f524e2045c87dccadff91a71708 +cn-hangzhou-j +Active\/Connected +Active\/Connected +synced +running$/,
    );
  });

  test('a spec without clusters says how to add one', () => {
    const config = { ...status('no-status'), spec: { asmVpcEndpoint: status('no-status').spec.asmVpcEndpoint } };
    expect(renderStatusTable(config)).toBe(
      'No clusters in asmpvlconfig/default: add one with kubectl asmpvl connect <clusterId>.\n\nPilot service: none\nOverall: Unknown (0 of 0 clusters connected, 0 running in the mesh)\n',
    );
  });
});

describe('statusView: what the exit code follows', () => {
  test.each([
    ['available', true],
    ['provisioning', false],
    ['degraded', false],
    // Available, but for an older spec.
    ['stale-san-disabled', false],
    ['no-status', false],
  ])('%s: available=%s', (name, available) => {
    expect(statusView(status(name)).available).toBe(available);
  });

  test('links: connected, pending, broken, absent', () => {
    const view = statusView(status('degraded'));
    expect(view.rows.map((row) => [row.clusterId, row.apiServer.state, row.pilot.state, row.san])).toEqual([
      ['c84974f524e2045c87dccadff91a71708', 'connected', 'connected', 'not-synced'],
      ['cab1659d273777fbbeb08d1f747ad55b7', 'broken', 'connected', 'waiting'],
      ['c0123456789abcdef0123456789abcdef', 'connected', 'absent', 'unknown'],
    ]);
    expect(statusView(status('provisioning')).rows.map((row) => [row.apiServer.state, row.pilot.state])).toEqual([
      ['connected', 'connected'],
      ['pending', 'absent'],
    ]);
  });

  test('a service that is not Active keeps the link pending and shows in the cell', () => {
    const config = status('available');
    config.status!.clusters![0]!.pvlEndpointService!.status = 'Pending';
    const row = statusView(config).rows[0]!;
    expect(row.apiServer).toMatchObject({ state: 'pending', text: 'Active/Connected (service Pending)' });
  });

  test('a Pilot service that is going away breaks every Pilot link', () => {
    const config = status('available');
    config.status!.pilot!.pvlEndpointService!.status = 'Deleting';
    expect(statusView(config).rows.map((row) => row.pilot.state)).toEqual(['broken', 'broken']);
    expect(statusView(config).available).toBe(false);
  });

  test('Available in status but a link missing from it: not available, and a note says so', () => {
    const config = status('available');
    config.status!.pilot!.clusters!.pop();
    const view = statusView(config);
    expect(view.available).toBe(false);
    expect(view.notes).toContain(
      'the status says Available but does not record both links as Active/Connected for cab1659d273777fbbeb08d1f747ad55b7: run kubectl asmpvl status --refresh',
    );
  });
});

describe("the mesh column: the mesh's own state, from status.mesh", () => {
  test('running, failed with what is missing, starting, and unknown when the mesh was never read', () => {
    expect(statusView(status('available')).rows.map((row) => row.mesh)).toEqual([
      { state: 'running', text: 'running' },
      { state: 'running', text: 'running' },
    ]);
    expect(statusView(status('degraded')).rows.map((row) => row.mesh.text)).toEqual([
      'failed (no SAN)',
      'failed (no API-server link)',
      'unknown',
    ]);
    expect(statusView(status('provisioning')).rows.map((row) => row.mesh.state)).toEqual(['running', 'joining']);
    expect(statusView(status('failed')).rows.map((row) => row.mesh.state)).toEqual(['unknown']);
  });

  test('Available with both links up is not available when the mesh does not run a cluster', () => {
    const config = status('available');
    config.status!.mesh!.clusters![1] = {
      clusterId: 'cab1659d273777fbbeb08d1f747ad55b7',
      inMesh: true,
      state: 'failed',
      missing: ['san'],
    };
    const view = statusView(config);
    expect(view.available).toBe(false);
    expect(view.summary).toBe('2 of 2 clusters connected, 1 running in the mesh');
  });

  test('a cluster the mesh does not list reads "not added"', () => {
    const config = status('available');
    config.status!.mesh!.clusters![0] = { clusterId: 'c84974f524e2045c87dccadff91a71708', inMesh: false };
    expect(statusView(config).rows[0]!.mesh).toEqual({ state: 'not-in-mesh', text: 'not added' });
  });
});

describe('notes from the conditions', () => {
  test('long messages show five lines and say how many more there are', () => {
    const config = status('provisioning');
    const lines = Array.from({ length: 8 }, (_, i) => `c${String(i).padStart(32, '0')}: endpoint ep-${i} is Creating`);
    config.status!.conditions = [
      { type: 'APIServerLinks', status: 'False', reason: 'Provisioning', message: lines.join('\n') },
    ];
    expect(statusView(config).notes).toEqual([
      `APIServerLinks is False (Provisioning): ${lines.slice(0, 4).join('\n    ')}\n    … and 4 more (kubectl asmpvl status -o yaml shows all)`,
    ]);
  });

  test('Ready is left out when the link conditions already said everything it says', () => {
    const notes = statusView(status('provisioning')).notes;
    expect(notes.map((note) => note.split(' ')[0])).toEqual(['APIServerLinks', 'PilotLinks', 'MeshReady']);
  });

  test('SANSynced Unknown: the clusters it names are unknown, the others synced', () => {
    const config = status('available');
    config.status!.conditions = [
      {
        type: 'SANSynced',
        status: 'Unknown',
        reason: 'NotChecked',
        message: 'not read in this run: cab1659d273777fbbeb08d1f747ad55b7',
      },
    ];
    expect(statusView(config).rows.map((row) => row.san)).toEqual(['synced', 'unknown']);
  });
});

describe('renderStatus -o json / -o yaml', () => {
  test('print the status object exactly, field names as the vendor contract has them', () => {
    const config = status('available');
    expect(JSON.parse(renderStatus(config, 'json'))).toEqual(config.status);
    expect(parse(renderStatus(config, 'yaml'))).toEqual(config.status);
    expect(renderStatus(config, 'yaml')).toMatch(
      /^clusters:\n {2}- clusterId: c84974f524e2045c87dccadff91a71708\n {4}pvlEndpoint:\n {6}connectionStatus: Connected\n/,
    );
  });

  test('no status yet: an empty object', () => {
    expect(renderStatus(status('no-status'), 'json')).toBe('{}\n');
    expect(renderStatus(status('no-status'), 'yaml')).toBe('{}\n');
  });
});
