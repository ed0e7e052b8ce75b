/**
 * The controller's logs, in the shape controller-runtime's zap logger writes: one JSON object per
 * line with a string `level`, an ISO 8601 `ts`, the `logger` that wrote it and `msg`; every line
 * written during a reconcile also names the object and that reconcile's id (`reconcileID`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { API_GROUP, KIND, SINGLETON_NAME } from '../core';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The root logger: `logger` names the part (asmpvl-controller, leader-election, ...). */
export function controllerLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { logger: 'asmpvl-controller' },
      messageKey: 'msg',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

const reconcileScope = new AsyncLocalStorage<Logger>();

/** The fields controller-runtime puts on every line of a reconcile of our object. */
export function reconcileFields(reconcileID = randomUUID()): Record<string, unknown> {
  return {
    controller: 'asmpvlconfig',
    controllerGroup: API_GROUP,
    controllerKind: KIND,
    [KIND]: { name: SINGLETON_NAME },
    name: SINGLETON_NAME,
    reconcileID,
  };
}

/** Runs one reconcile with `log` as the logger of every line written inside it. */
export function inReconcile<T>(log: Logger, run: () => Promise<T>): Promise<T> {
  return reconcileScope.run(log, run);
}

/** The logger of the reconcile under way, or `fallback` outside one. */
export function currentLogger(fallback: Logger): Logger {
  return reconcileScope.getStore() ?? fallback;
}
