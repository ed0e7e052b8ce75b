/**
 * Events as client-go's recorder keeps them: one object per involved object, type, reason and
 * message, whose count, lastTimestamp and message a repeat updates. Pure; KubeStore writes them.
 */
import { createHash } from 'node:crypto';
import type { ConfigEvent } from './store';

/** The object an Event is about, as far as its name depends on it. */
export interface EventSubject {
  metadata: { name: string; uid?: string };
}

// The cloud's request id differs on every call: the same failure again is not another failure.
const REQUEST_ID = /(request id )[^\s,;)]+/gi;

/** The message as far as it tells one failure from another: request ids left out. */
export function messageIdentity(message: string): string {
  return message.replace(REQUEST_ID, '$1…');
}

/**
 * The name of the one Event object for this object, type, reason, message (its identity) and
 * reporting component: the object's name and a hash of the rest (an Event name is a DNS subdomain).
 */
export function eventName(object: EventSubject, event: ConfigEvent, component: string): string {
  const key = JSON.stringify([
    object.metadata.uid ?? '',
    object.metadata.name,
    event.type,
    event.reason,
    messageIdentity(event.message),
    component,
  ]);
  return `${object.metadata.name}.${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}
