import { z } from 'zod';
import { Capability } from '../capabilities.ts';
import { Device } from '../devices.ts';
import { EndReason, SessionState } from '../session-machine.ts';
import { Id, IsoTime, Person } from './common.ts';

export const ROLES = ['admin', 'technician', 'expert'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The signed-in user as the console sees them. */
export const UserView = Person.extend({ id: Id, role: Role });
export type UserView = z.infer<typeof UserView>;

export const FacilityView = z.object({ id: Id, name: z.string().min(1).max(120) });
export type FacilityView = z.infer<typeof FacilityView>;

/** An agent-bridge as listed in the console. */
export const AgentView = z.object({
  id: Id,
  name: z.string().min(1).max(120),
  facility: FacilityView,
  online: z.boolean(),
  lastSeen: IsoTime.nullable(),
  devices: z.array(Device).max(500),
  /**
   * Base64 of the raw Ed25519 key the agent enrolled with. The console remembers the
   * first it sees per agent and checks the agent's signed session descriptions with it.
   */
  identityKey: z.string().max(60),
  /**
   * The facility's Remote access switch as the agent last reported it while online;
   * absent while offline. The agent enforces it; the console only shows it.
   */
  remoteAccess: z.enum(['on', 'off']).optional(),
});
export type AgentView = z.infer<typeof AgentView>;

/** A session as the console and the agent see it. */
export const SessionView = z.object({
  id: Id,
  agentId: Id,
  agentName: z.string().max(120),
  facility: FacilityView,
  technician: Person,
  reason: z.string().max(500),
  state: SessionState,
  endReason: EndReason.nullable(),
  /** Free words from whoever ended it, shown next to the reason. */
  endDetail: z.string().max(500).nullable(),
  requested: z.array(Capability).max(10),
  granted: z.array(Capability).max(10),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type SessionView = z.infer<typeof SessionView>;
