import type { KeyCombo } from '../../../../shared/protocol/desktop.ts';

/** What the technician reads for each key combination in the Keys menu. */
export const KEY_COMBO_NAMES: Record<KeyCombo, string> = {
  'ctrl+alt+delete': 'Ctrl+Alt+Del',
  'alt+tab': 'Alt+Tab',
  'alt+f4': 'Alt+F4',
  super: 'Windows key',
  'ctrl+esc': 'Ctrl+Esc',
  print: 'Print Screen',
};

/** The keys, held together, that move keyboard focus off the remote screen. */
export const LEAVE_CHORD_WORDS = 'Ctrl+Alt+Shift';

/** The parts of a KeyboardEvent that decide where a key goes. */
export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
}

/**
 * Where one key press goes while the remote screen has focus:
 * - `remote`: sent to the service computer, and kept from the browser;
 * - `browser`: left alone (the browser's own way out of full screen, input methods);
 * - `leave`: the technician asked to move focus off the screen with the keyboard, since
 *   Tab itself belongs to the remote computer while the screen has focus.
 */
export function routeKey(event: KeyLike, fullscreen: boolean): 'remote' | 'browser' | 'leave' {
  if (event.key === 'F11') return 'browser';
  if (event.key === 'Escape' && fullscreen) return 'browser';
  if (event.isComposing || event.key === 'Process' || event.key === 'Dead') return 'browser';
  if (event.key.length === 0 || event.key.length > 32 || event.code.length > 32) return 'browser';
  if (isLeaveChord(event)) return 'leave';

  return 'remote';
}

function isLeaveChord(event: KeyLike): boolean {
  const modifier = event.key === 'Control' || event.key === 'Alt' || event.key === 'Shift';

  return modifier && event.ctrlKey && event.altKey && event.shiftKey;
}
