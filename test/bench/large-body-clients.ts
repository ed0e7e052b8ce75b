// The hostile side of the large-body benchmark, in a process of its own so that encrypting its bodies
// does not slow the client that measures: `clients` clients each send the worst bodies under the size
// limit back to back (the next as soon as one is answered or refused) until `seconds` have passed,
// then print how the webhook answered, as JSON.
//   node --import tsx test/bench/large-body-clients.ts PORT CA_FILE CLIENTS SECONDS
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { WORST } from '../support/worst-bodies';

const [port, caFile, clients, seconds] = process.argv.slice(2);
const ca = readFileSync(caFile!, 'utf8');
// The bodies the webhook judges (the ones refused before parsing cost it nothing), encoded once.
const bodies = WORST.filter((worst) => worst.status === 200).map((worst) => ({
  path: worst.path,
  body: Buffer.from(worst.body()),
}));
const deadline = Date.now() + Number(seconds) * 1000;
const statuses: Record<string, number> = {};

function post(agent: Agent, path: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        method: 'POST',
        path,
        ca,
        agent,
        timeout: 30_000,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(String(res.statusCode)));
        res.on('error', () => resolve('broken response'));
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(body);
  });
}

async function client(index: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let sent = index; Date.now() < deadline; sent++) {
    const { path, body } = bodies[sent % bodies.length]!;
    const status = await post(agent, path, body);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  agent.destroy();
}

void Promise.all(Array.from({ length: Number(clients) }, (_, i) => client(i))).then(() => {
  process.stdout.write(`${JSON.stringify(statuses)}\n`);
});
