import { Writable } from 'node:stream';
import { controllerLogger, currentLogger, inReconcile, reconcileFields } from './logging';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

test('lines have a string level, an ISO 8601 ts, the logger and msg', () => {
  const { lines, stream } = capture();
  controllerLogger('info', stream).child({ logger: 'leader-election' }).warn({ leader: 'pod-a' }, 'leader');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toEqual({
    level: 'warn',
    ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
    logger: 'leader-election',
    leader: 'pod-a',
    msg: 'leader',
  });
});

test('every line written inside a reconcile names the object and that reconcile id', async () => {
  const { lines, stream } = capture();
  const root = controllerLogger('debug', stream);
  const fields = reconcileFields('11111111-2222-3333-4444-555555555555');
  await inReconcile(root.child(fields), async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    currentLogger(root).debug({ step: 'create the endpoint' }, 'step');
  });
  currentLogger(root).info('outside');
  expect(lines[0]).toMatchObject({
    level: 'debug',
    ASMPvlConfig: { name: 'default' },
    controllerKind: 'ASMPvlConfig',
    reconcileID: '11111111-2222-3333-4444-555555555555',
    step: 'create the endpoint',
  });
  expect(lines[1]).not.toHaveProperty('reconcileID');
});
