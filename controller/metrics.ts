/**
 * What the controller exposes on /metrics (Prometheus text), and /healthz and /readyz beside it.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class ControllerMetrics {
  readonly registry = new Registry();

  constructor() {
    // The process_* and nodejs_* series every Prometheus client exports (CPU, memory, event loop lag, GC).
    collectDefaultMetrics({ register: this.registry });
  }

  readonly reconciles = new Counter({
    name: 'asmpvl_controller_reconciles_total',
    help: 'Reconciles of asmpvlconfig/default by result (converged, progressing, failed, refused, deleted, absent, cancelled).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly reconcileSeconds = new Histogram({
    name: 'asmpvl_controller_reconcile_duration_seconds',
    help: 'Wall time of one reconcile.',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly cloudCalls = new Counter({
    name: 'asmpvl_controller_cloud_calls_total',
    help: 'Cloud API calls (each attempt) by product, action and outcome (ok or the error code).',
    labelNames: ['product', 'action', 'outcome'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'asmpvl_controller_leader',
    help: '1 while this replica holds the leader-election Lease.',
    registers: [this.registry],
  });
  readonly lastReconcile = new Gauge({
    name: 'asmpvl_controller_last_reconcile_timestamp_seconds',
    help: 'When the last reconcile ended (Unix time).',
    registers: [this.registry],
  });
}

export interface HealthState {
  /** Alive: the process answers. */
  healthy(): boolean;
  /** Ready: the watch has listed the objects once. */
  ready(): boolean;
}

/** Serves over plain HTTP /healthz, /livez and /readyz (with `health`) and /metrics (with `metrics`). */
export function startServer(
  routes: { health?: HealthState; metrics?: ControllerMetrics },
  address: { host?: string; port: number },
): Promise<Server> {
  const { health: state, metrics } = routes;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (ok: boolean) => {
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ok ? 'ok\n' : 'not ready\n');
    };
    if (request.method !== 'GET') {
      response.writeHead(405).end();
      return;
    }
    if (state && (path === '/healthz' || path === '/livez')) return answer(state.healthy());
    if (state && path === '/readyz') return answer(state.ready());
    if (metrics && path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType });
          response.end(text);
        },
        () => response.writeHead(500).end(),
      );
      return;
    }
    response.writeHead(404).end();
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve(server));
  });
}
