import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type Endpoint = 'mutate' | 'validate';

/** The counters and histogram of one endpoint, resolved once so a review updates them without allocating. */
export interface EndpointMetrics {
  allowed: { inc(): void };
  patched: { inc(): void };
  denied: { inc(): void };
  badRequest: { inc(): void };
  latency: { observe(seconds: number): void };
}

/** The webhook's Prometheus metrics, in a registry of its own (no global state between servers in a test). */
export class WebhookMetrics {
  readonly registry = new Registry();
  readonly reviews = new Counter({
    name: 'asmpvl_webhook_reviews_total',
    help: 'Admission reviews answered, by endpoint and verdict (allowed, patched, denied, bad_request).',
    labelNames: ['endpoint', 'verdict'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'asmpvl_webhook_review_duration_seconds',
    help: 'Time to answer one admission review, from the first byte of the request to the response written.',
    labelNames: ['endpoint'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly connectionsClosed = new Counter({
    name: 'asmpvl_webhook_connections_closed_total',
    help: 'Connections the webhook closed to keep serving others: idle_before_review (held open without sending a review), evicted (to make room for a new one past a cap), refused (past a cap with none idle).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  // prom-client's inc({ labels }) builds a label object and a hash key on every call; a child bound to
  // its labels once does neither (measured in test/bench/webhook.bench.ts).
  private readonly endpoints: Record<Endpoint, EndpointMetrics>;

  constructor(options: { processMetrics: boolean }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const of = (endpoint: Endpoint): EndpointMetrics => ({
      allowed: this.reviews.labels(endpoint, 'allowed'),
      patched: this.reviews.labels(endpoint, 'patched'),
      denied: this.reviews.labels(endpoint, 'denied'),
      badRequest: this.reviews.labels(endpoint, 'bad_request'),
      latency: this.latency.labels(endpoint),
    });
    this.endpoints = { mutate: of('mutate'), validate: of('validate') };
  }

  /** Reports the open connections from `count` at each scrape. */
  trackOpenConnections(count: () => number): void {
    new Gauge({
      name: 'asmpvl_webhook_open_connections',
      help: 'Client connections open now.',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
  }

  endpoint(endpoint: Endpoint): EndpointMetrics {
    return this.endpoints[endpoint];
  }
}
