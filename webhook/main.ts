import { parseArgs } from 'node:util';
import pino from 'pino';
import { isZonePolicy } from '../core';
import { isReviewWorker, serveReviewsInThisWorker } from './review-worker';
import { startWebhookServer } from './server';

const USAGE = `Usage: asmpvl-webhook --tls-cert-file FILE --tls-private-key-file FILE [--port 9443] [--zone-policy overlap|strict] [--log-level info]

The ASMPvlConfig admission webhook: POST /mutate and /validate (AdmissionReview v1) over HTTPS,
GET /healthz, /readyz and /metrics. Reloads the certificate files when they change; drains on SIGTERM.`;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

interface Flags {
  port: number;
  certFile: string;
  keyFile: string;
  zonePolicy: 'overlap' | 'strict';
  logLevel: string;
}

function usageError(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseFlags(argv: string[]): Flags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '9443' },
        'tls-cert-file': { type: 'string' },
        'tls-private-key-file': { type: 'string' },
        'zone-policy': { type: 'string', default: 'overlap' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    usageError(`--port must be a port number, got ${values.port}`);
  if (!values['tls-cert-file'] || !values['tls-private-key-file'])
    usageError(
      '--tls-cert-file and --tls-private-key-file are required: the API server only calls webhooks over HTTPS',
    );
  if (!isZonePolicy(values['zone-policy']))
    usageError(`--zone-policy must be overlap or strict, got ${values['zone-policy']}`);
  if (!LOG_LEVELS.includes(values['log-level'] ?? ''))
    usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${values['log-level']}`);
  return {
    port,
    certFile: values['tls-cert-file'],
    keyFile: values['tls-private-key-file'],
    zonePolicy: values['zone-policy'],
    logLevel: values['log-level'],
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const logger = pino({ level: flags.logLevel, base: { component: 'asmpvl-webhook' } });
  let webhook;
  try {
    webhook = await startWebhookServer({
      port: flags.port,
      tls: { certFile: flags.certFile, keyFile: flags.keyFile },
      zonePolicy: flags.zonePolicy,
      logger,
      // This same file judges large reviews in a worker thread (see the end of the file).
      reviewWorker: { filename: __filename },
    });
  } catch (error) {
    logger.fatal({ err: (error as Error).message }, 'cannot start: check the certificate and key files and the port');
    process.exit(1);
  }
  logger.info({ port: webhook.port, zonePolicy: flags.zonePolicy }, 'serving admission reviews');
  const stop = (signal: string) => {
    logger.info({ signal }, 'draining in-flight reviews');
    void webhook.drain().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (isReviewWorker()) serveReviewsInThisWorker();
else void main();
