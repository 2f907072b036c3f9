import { describe, expect, it } from 'vitest';
import { xdotoolCommands } from './x11-input.ts';
import { comboKeys, keysymFor } from './x11-keys.ts';

const AT = { x: 1920, y: 0, width: 1280, height: 720 };

describe('keysymFor', () => {
  it('keeps letters and digits, and sends other characters by their Unicode', () => {
    expect(['a', 'Z', '7'].map((k) => keysymFor(k))).toEqual(['a', 'Z', '7']);
    expect(['é', '+', 'ß', '€', '😀'].map((k) => keysymFor(k))).toEqual([
      'U00E9',
      'U002B',
      'U00DF',
      'U20AC',
      'U1F600',
    ]);
  });

  it('names the keys that have names, right-hand modifiers included', () => {
    expect(
      ['Enter', 'PageUp', 'PageDown', 'ArrowLeft', ' ', 'F12'].map((k) => keysymFor(k)),
    ).toEqual(['Return', 'Prior', 'Next', 'Left', 'space', 'F12']);
    expect(keysymFor('Control', 'ControlLeft')).toBe('Control_L');
    expect(keysymFor('Shift', 'ShiftRight')).toBe('Shift_R');
    expect(keysymFor('Meta', 'MetaLeft')).toBe('Super_L');
  });

  it('ignores keys it cannot pass on', () => {
    expect(
      ['Dead', 'Unidentified', 'F13', 'AudioVolumeUp', '\u0007'].map((k) => keysymFor(k)),
    ).toEqual([null, null, null, null, null]);
  });

  it('spells the combinations for xdotool', () => {
    expect(comboKeys('ctrl+alt+delete')).toBe('ctrl+alt+Delete');
    expect(comboKeys('super')).toBe('Super_L');
  });
});

describe('xdotoolCommands', () => {
  it('maps fractions onto the display, offset included', () => {
    expect(xdotoolCommands({ type: 'pointer.move', x: 0, y: 0 }, AT)).toEqual(['mousemove 1920 0']);
    expect(xdotoolCommands({ type: 'pointer.move', x: 1, y: 1 }, AT)).toEqual([
      'mousemove 3199 719',
    ]);
  });

  it('presses buttons where the pointer is, and scrolls by notches', () => {
    expect(
      xdotoolCommands({ type: 'pointer.button', button: 'right', down: true, x: 0.5, y: 0.5 }, AT),
    ).toEqual(['mousemove 2560 360', 'mousedown 3']);
    expect(xdotoolCommands({ type: 'pointer.wheel', dx: 2, dy: -3, x: 0, y: 0 }, AT)).toEqual([
      'mousemove 1920 0',
      'click --repeat 3 4',
      'click --repeat 2 7',
    ]);
  });

  it('sends keys down and up, and nothing for keys it ignores', () => {
    expect(xdotoolCommands({ type: 'key', key: 'é', code: 'Digit2', down: false }, AT)).toEqual([
      'keyup U00E9',
    ]);
    expect(xdotoolCommands({ type: 'key', key: 'Dead', code: 'Quote', down: true }, AT)).toEqual(
      [],
    );
    expect(xdotoolCommands({ type: 'key.combo', combo: 'alt+f4' }, AT)).toEqual(['key alt+F4']);
  });
});
