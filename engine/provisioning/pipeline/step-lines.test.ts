import type { Progress } from '../../progress';
import { StepLines } from './step-lines';

function recording(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    start: (step) => void lines.push(`... ${step}`),
    succeed: (detail) => void lines.push(`ok ${detail ?? ''}`.trim()),
    fail: (detail) => void lines.push(`failed ${detail}`),
    info: (message) => void lines.push(message),
  };
}

test("steps of different StepLines on one display: an end after another's start names its step again", () => {
  const progress = recording();
  const steps = new StepLines(progress);
  const sans = new StepLines(progress);
  steps.begin('apiserver/c1/connect', 'accept the connection of c1');
  sans.begin('san/c1', 'sync the SANs of c1');
  steps.end('apiserver/c1/connect', 'accept the connection of c1', { detail: 'Connected' });
  sans.end('san/c1', 'sync the SANs of c1', { detail: 'appended' });
  steps.begin('pilot/c2/connect', 'accept the connection of c2');
  steps.end('pilot/c2/connect', 'accept the connection of c2', { failed: 'refused' });
  expect(progress.lines).toEqual([
    '... accept the connection of c1',
    '... sync the SANs of c1',
    '... accept the connection of c1',
    'ok Connected',
    '... sync the SANs of c1',
    'ok appended',
    '... accept the connection of c2',
    'failed refused',
  ]);
});
