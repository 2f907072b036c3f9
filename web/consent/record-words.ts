import { CAPABILITIES, CAPABILITY_LABELS, type Capability } from '../../shared/capabilities.ts';
import type { RecordEvent } from '../../shared/protocol/consent.ts';
import type { Person } from '../../shared/protocol/common.ts';
import { clock, dateTime } from '../lib/format.ts';

/**
 * The facility ledger's events in words for the Record, e.g. "Staff approved Read device
 * event and error logs for Terry Tech (Tether Service) until the session ends". An action
 * this page does not know yet is still shown, as the ledger names it.
 */
export function recordWords(event: RecordEvent): string {
  const what = capabilityWords(event.capability);
  const forWhom = event.for ? ` for ${person(event.for)}` : '';
  const because = event.words ? `: ${event.words}` : '';

  switch (event.action) {
    case 'session.requested':
      return `${who(event)} asked for ${what}${because}`;
    case 'consent.approved':
    case 'capability.granted':
      return `${who(event)} approved ${what}${forWhom} until ${event.until ?? 'the session ends'}`;
    case 'consent.denied':
    case 'capability.denied':
      return refusal(event, what, forWhom);
    case 'capability.revoked':
      return `${who(event)} took back ${what}${forWhom}`;
    case 'session.connected':
      return `The technician's session connected${forWhom}`;
    case 'session.ended':
      return ending(event);
    case 'code.created':
      return `${who(event)} made a one-time code for ${what}${codeUntil(event.until)}`;
    case 'code.cancelled':
      return `${who(event)} cancelled the one-time code`;
    case 'remote_access.switched':
      return `${who(event)} switched remote access ${event.outcome ?? ''}`.trimEnd();
    default: {
      const outcome = event.outcome ? ` (${event.outcome})` : '';
      return `${who(event)}: ${event.action}${outcome}${because}`;
    }
  }
}

/** The time a Record line starts with: `09:14` today, with the date on other days. */
export function recordTime(at: string, now: Date = new Date()): string {
  const when = new Date(at);
  const today = when.toDateString() === now.toDateString();
  return today ? clock(at) : dateTime(at).slice(0, 16);
}

function refusal(event: RecordEvent, what: string, forWhom: string): string {
  if (event.outcome === 'timed out') {
    return `Nobody answered the request for ${what}${forWhom} in time`;
  }
  const because = event.words ? `: ${event.words}` : '';
  if (event.outcome === 'refused') return `The agent refused ${what}${forWhom}${because}`;
  return `${who(event)} denied ${what}${forWhom}${because}`;
}

function ending(event: RecordEvent): string {
  switch (event.outcome) {
    case 'ended_by_facility':
      return `Staff ended the session${event.for ? ` of ${person(event.for)}` : ''}`;
    case 'ended_by_technician':
      return `${who(event)} ended the session`;
    case 'agent_offline':
      return 'The session ended: the agent lost its connection to the Tether service';
    default:
      return `The session ended${event.words ? `: ${event.words}` : ''}`;
  }
}

/** Who acted, in words. */
function who(event: RecordEvent): string {
  if (event.actor === 'staff') return 'Staff';
  if (event.actor === 'one-time code') return 'A one-time code made by staff';
  if (event.role === 'technician' || event.role === 'expert') {
    return event.for ? person(event.for) : event.actor.replace(/^\w+:/, '');
  }
  if (event.role === 'agent') return 'The agent';
  return 'Tether';
}

function person(p: Person): string {
  return `${p.displayName} (${p.organisation})`;
}

function capabilityWords(capabilities: string[]): string {
  if (capabilities.length === 0) return 'access';
  return capabilities.map((c) => (isCapability(c) ? CAPABILITY_LABELS[c] : c)).join(', ');
}

function isCapability(name: string): name is Capability {
  return (CAPABILITIES as readonly string[]).includes(name);
}

function codeUntil(until: string | null): string {
  if (!until) return '';
  const time = clock(until);
  return time ? `, good until ${time}` : '';
}
