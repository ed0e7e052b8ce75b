import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    help: 'Time to answer one admission review, from body parsed to response written.',
    labelNames: ['endpoint'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(options: { processMetrics: boolean }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
