import type { KeyCombo } from '../../shared/protocol/desktop.ts';

/** KeyboardEvent.key names with a different X keysym name, or none at all. */
const NAMED_KEYS: Record<string, string> = {
  Enter: 'Return',
  Backspace: 'BackSpace',
  Tab: 'Tab',
  Escape: 'Escape',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  Home: 'Home',
  End: 'End',
  PageUp: 'Prior',
  PageDown: 'Next',
  Insert: 'Insert',
  Delete: 'Delete',
  Control: 'Control_L',
  Shift: 'Shift_L',
  Alt: 'Alt_L',
  AltGraph: 'ISO_Level3_Shift',
  Meta: 'Super_L',
  CapsLock: 'Caps_Lock',
  NumLock: 'Num_Lock',
  ScrollLock: 'Scroll_Lock',
  Pause: 'Pause',
  PrintScreen: 'Print',
  ContextMenu: 'Menu',
  ' ': 'space',
};

/** The right-hand modifiers, told apart by KeyboardEvent.code. */
const RIGHT_MODIFIERS: Record<string, string> = {
  ControlRight: 'Control_R',
  ShiftRight: 'Shift_R',
  AltRight: 'Alt_R',
  MetaRight: 'Super_R',
};

const COMBOS: Record<KeyCombo, string> = {
  'ctrl+alt+delete': 'ctrl+alt+Delete',
  'alt+tab': 'alt+Tab',
  'alt+f4': 'alt+F4',
  super: 'Super_L',
  'ctrl+esc': 'ctrl+Escape',
  print: 'Print',
};

/**
 * The X keysym for a browser key, or null for keys we do not pass on (dead keys,
 * "Unidentified", media keys). One character becomes its Unicode keysym (`U00E9`), so
 * the remote computer types what the technician's own layout produced whatever its
 * layout is; plain letters and digits keep their own names, which every keymap has.
 */
export function keysymFor(key: string, code = ''): string | null {
  const right = RIGHT_MODIFIERS[code];
  if (right && NAMED_KEYS[key]) return right;

  const named = NAMED_KEYS[key];
  if (named) return named;
  if (/^F([1-9]|1[0-2])$/.test(key)) return key;

  const chars = [...key];
  if (chars.length !== 1) return null;
  if (/^[A-Za-z0-9]$/.test(key)) return key;

  const point = key.codePointAt(0) ?? 0;
  if (point < 0x20 || (point >= 0x7f && point < 0xa0)) return null;

  return `U${point.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The xdotool `key` argument for a combination the browser cannot send itself. */
export function comboKeys(combo: KeyCombo): string {
  return COMBOS[combo];
}
