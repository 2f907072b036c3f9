import { z } from 'zod';

/**
 * What a session may do at the facility. The agent decides which of these a session
 * gets; the server can only narrow a request, never widen what the agent grants.
 */
export const CAPABILITIES = [
  'logs.read',
  'screen.view',
  'screen.control',
  'terminal',
  'files.transfer',
  'software.update',
  'license.deliver',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export const Capability = z.enum(CAPABILITIES);

/** Capabilities that this build can actually serve over a session. */
export const IMPLEMENTED_CAPABILITIES: readonly Capability[] = [
  'logs.read',
  'screen.view',
  'screen.control',
];

/** Words a person reads for each capability, on the consent page and in the console. */
export const CAPABILITY_LABELS: Record<Capability, string> = {
  'logs.read': 'Read device event and error logs',
  'screen.view': 'View the service computer screen',
  'screen.control': 'Control the service computer',
  terminal: 'Open a diagnostics terminal',
  'files.transfer': 'Transfer files',
  'software.update': 'Install software updates',
  'license.deliver': 'Deliver licences',
};
