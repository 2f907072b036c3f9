import { describe, it, expect } from 'vitest';
import { KEY_COMBOS } from '../../../../shared/protocol/desktop.ts';
import { HeldInput } from './held-input.ts';
import { KEY_COMBO_NAMES, routeKey, type KeyLike } from './keys.ts';

function key(key: string, code: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key, code, ctrlKey: false, altKey: false, shiftKey: false, ...mods };
}

describe('routeKey', () => {
  it('sends ordinary keys, Tab and shortcuts to the remote computer', () => {
    expect(routeKey(key('a', 'KeyA'), false)).toBe('remote');
    expect(routeKey(key('Tab', 'Tab'), false)).toBe('remote');
    expect(routeKey(key('r', 'KeyR', { ctrlKey: true }), false)).toBe('remote');
    expect(routeKey(key('Escape', 'Escape'), false)).toBe('remote');
  });

  it("leaves the browser's own way out of full screen alone", () => {
    expect(routeKey(key('Escape', 'Escape'), true)).toBe('browser');
    expect(routeKey(key('F11', 'F11'), false)).toBe('browser');
  });

  it('leaves input method composition and oversized names to the browser', () => {
    expect(routeKey(key('a', 'KeyA', { isComposing: true }), false)).toBe('browser');
    expect(routeKey(key('x'.repeat(33), 'KeyX'), false)).toBe('browser');
  });

  it('treats Ctrl+Alt+Shift as the way off the screen', () => {
    const chord = { ctrlKey: true, altKey: true, shiftKey: true };

    expect(routeKey(key('Shift', 'ShiftLeft', chord), false)).toBe('leave');
    expect(routeKey(key('Delete', 'Delete', chord), false)).toBe('remote');
  });

  it('names every key combination', () => {
    expect(KEY_COMBOS.map((combo) => KEY_COMBO_NAMES[combo])).toEqual([
      'Ctrl+Alt+Del',
      'Alt+Tab',
      'Alt+F4',
      'Windows key',
      'Ctrl+Esc',
      'Print Screen',
    ]);
  });
});

describe('HeldInput', () => {
  it('releases held keys and buttons, and only those', () => {
    const held = new HeldInput();
    held.keyDown('Control', 'ControlLeft');
    held.keyDown('a', 'KeyA');
    held.buttonDown('left');

    expect(held.keyUp('a', 'KeyA')).toEqual({ key: 'a', code: 'KeyA' });
    expect(held.keyUp('Tab', 'Tab')).toBeNull();
    expect(held.releaseAll(0.5, 0.25)).toEqual([
      { type: 'pointer.button', button: 'left', down: false, x: 0.5, y: 0.25 },
      { type: 'key', key: 'Control', code: 'ControlLeft', down: false },
    ]);
    expect(held.empty).toBe(true);
  });

  it('sends the key-up with the key value of its key-down', () => {
    const held = new HeldInput();
    held.keyDown('A', 'KeyA');

    // Shift was let go first: the browser reports "a" on the way up.
    expect(held.keyUp('a', 'KeyA')).toEqual({ key: 'A', code: 'KeyA' });
  });
});
