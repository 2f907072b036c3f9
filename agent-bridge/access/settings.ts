import { z } from 'zod';
import { UnattendedSettings } from './unattended-settings.ts';

/**
 * The `access` section of the local policy: the ways a session may start at this
 * facility. Every way is decided here, at the facility; the server can only pass a
 * request on. The defaults allow what needs staff at this computer, and nothing else.
 */
export const AccessSettings = z.strictObject({
  /** Staff approve each request on the consent page, choosing what is granted. */
  attended: z.boolean().default(true),
  /**
   * Staff make a short code on the consent page; a technician who enters it in the
   * console gets one session, without a prompt, with what staff ticked for the code.
   */
  oneTimeCodes: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** How long a code can be used after staff made it. */
      validMinutes: z.number().int().min(1).max(60).default(10),
    })
    .prefault({}),
  /**
   * Nobody at the facility: a named technician proves the access password facility IT
   * set on this computer, perhaps only within maintenance windows (unattended-settings.ts).
   */
  unattended: UnattendedSettings.prefault({}),
});
export type AccessSettings = z.infer<typeof AccessSettings>;

/**
 * Why `settings` can never let a session start, or null. A facility that wants no
 * remote access for a while uses the consent page's switch instead.
 */
export function accessProblem(settings: AccessSettings): string | null {
  const { attended, oneTimeCodes, unattended } = settings;
  if (attended || oneTimeCodes.enabled || unattended.enabled) return null;

  return (
    'attended, oneTimeCodes.enabled and unattended.enabled are all false, so no session ' +
    'could ever start; ' +
    "to pause remote access, use the consent page's Remote access switch"
  );
}
