import pino from 'pino';
import { parseFlags, USAGE, UsageError, type WebhookFlags } from './flags';
import { isReviewWorker, serveReviewsInThisWorker } from './review-worker';
import { startWebhookServer } from './server';

function flagsOrExit(argv: string[]): WebhookFlags {
  try {
    return parseFlags(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const flags = flagsOrExit(process.argv.slice(2));
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const logger = pino({ level: flags.logLevel, base: { component: 'asmpvl-webhook' } });
  let webhook;
  try {
    webhook = await startWebhookServer({
      port: flags.port,
      tls: { certFile: flags.certFile, keyFile: flags.keyFile },
      zonePolicy: flags.zonePolicy,
      logger,
      maxConnections: flags.maxConnections,
      maxConnectionsPerSource: flags.maxConnectionsPerSource,
      idleBeforeReviewMs: flags.idleBeforeReviewMs,
      largeBodyBudgetBytes: flags.largeBodyBudgetBytes,
      // This same file judges large reviews in a worker thread (see the end of the file).
      reviewWorker: { filename: __filename },
      reviewWorkerLimits: { maxHeapMb: flags.largeReviewHeapMb },
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
