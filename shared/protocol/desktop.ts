import { z } from 'zod';
import { Id } from './common.ts';

/**
 * The remote desktop. The picture travels as a WebRTC video track; everything else here
 * travels as JSON on the session's data channels:
 *
 * - on the main channel (`tether`): view requests and the desktop's status;
 * - on the ordered input channel (`input`): pointer, keyboard and clipboard, so that a
 *   busy log stream never delays a click.
 *
 * Pointer coordinates are fractions of the shown display (0..1 from the top left), so
 * they stay right when the encoder lowers the resolution under a poor network.
 */
export const INPUT_CHANNEL_LABEL = 'input';

export const Display = z.object({
  id: Id,
  name: z.string().max(120),
  width: z.number().int().positive().max(16384),
  height: z.number().int().positive().max(16384),
  primary: z.boolean(),
});
export type Display = z.infer<typeof Display>;

export const DESKTOP_STATES = ['stopped', 'starting', 'streaming', 'unavailable'] as const;
export const DesktopState = z.enum(DESKTOP_STATES);
export type DesktopState = z.infer<typeof DesktopState>;

/** Agent → console on the main channel whenever the desktop changes. */
export const DesktopStatus = z.object({
  type: z.literal('desktop.status'),
  state: DesktopState,
  /** Why the desktop cannot be shown, in words for the technician (state `unavailable`). */
  reason: z.string().max(500).nullable(),
  displays: z.array(Display).max(16),
  displayId: Id.nullable(),
  /** Whether this session may send input right now (`screen.control` granted). */
  control: z.boolean(),
});
export type DesktopStatus = z.infer<typeof DesktopStatus>;

/** Console → agent on the main channel. */
export const DesktopRequest = z.discriminatedUnion('type', [
  /** Start (or switch) the picture; capture runs only while someone views. */
  z.object({ type: z.literal('desktop.view'), displayId: Id.nullable() }),
  z.object({ type: z.literal('desktop.stop') }),
]);
export type DesktopRequest = z.infer<typeof DesktopRequest>;

const Fraction = z.number().min(0).max(1);
export const POINTER_BUTTONS = ['left', 'middle', 'right'] as const;

/**
 * Key combinations a browser cannot send itself (the operating system takes them first).
 * Each is pressed and released as a whole on the remote display.
 */
export const KEY_COMBOS = [
  'ctrl+alt+delete',
  'alt+tab',
  'alt+f4',
  'super',
  'ctrl+esc',
  'print',
] as const;
export const KeyCombo = z.enum(KEY_COMBOS);
export type KeyCombo = z.infer<typeof KeyCombo>;

/** Console → agent on the input channel. Refused by the agent without `screen.control`. */
export const InputMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pointer.move'), x: Fraction, y: Fraction }),
  z.object({
    type: z.literal('pointer.button'),
    button: z.enum(POINTER_BUTTONS),
    down: z.boolean(),
    x: Fraction,
    y: Fraction,
  }),
  /** Wheel notches; positive `dy` scrolls down, positive `dx` scrolls right. */
  z.object({
    type: z.literal('pointer.wheel'),
    dx: z.number().int().min(-20).max(20),
    dy: z.number().int().min(-20).max(20),
    x: Fraction,
    y: Fraction,
  }),
  /**
   * One key going down or up. `key` is KeyboardEvent.key (the character the technician's
   * layout produced, or a name such as "Enter" or "F5"); `code` is the physical key.
   */
  z.object({
    type: z.literal('key'),
    key: z.string().min(1).max(32),
    code: z.string().max(32),
    down: z.boolean(),
  }),
  z.object({ type: z.literal('key.combo'), combo: KeyCombo }),
  /** Puts text on the remote clipboard. */
  z.object({ type: z.literal('clipboard.set'), text: z.string().max(32_000) }),
  /** Asks for the remote clipboard's text; answered with `clipboard.text`. */
  z.object({ type: z.literal('clipboard.get') }),
]);
export type InputMessage = z.infer<typeof InputMessage>;

/** Agent → console on the input channel. */
export const InputReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('clipboard.text'), text: z.string().max(32_000) }),
  /** Input arrived without `screen.control`, or the desktop cannot take it. */
  z.object({ type: z.literal('input.refused'), reason: z.string().max(500) }),
]);
export type InputReply = z.infer<typeof InputReply>;
