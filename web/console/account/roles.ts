import type { Role } from '../../../shared/protocol/views.ts';

/** Each role as the console names it to people. */
export const ROLE_NAMES: Record<Role, string> = {
  admin: 'Administrator',
  technician: 'Technician',
  expert: 'Expert',
};
