import type { InputMessage } from '../../../../shared/protocol/desktop.ts';

type Button = 'left' | 'middle' | 'right';

/**
 * Keys and mouse buttons that went down on the remote computer and have not come up.
 * When the screen loses focus the matching key-up or button-up never arrives, and a
 * modifier left down remotely would change every later key, so they are released.
 */
export class HeldInput {
  /** code (or key when the code is empty) → the key value sent with the key-down. */
  readonly #keys = new Map<string, { key: string; code: string }>();
  readonly #buttons = new Set<Button>();

  keyDown(key: string, code: string): void {
    this.#keys.set(code || key, { key, code });
  }

  /** Whether a key-up should be sent: only for keys whose key-down was. */
  keyUp(key: string, code: string): { key: string; code: string } | null {
    const id = code || key;
    const held = this.#keys.get(id);
    this.#keys.delete(id);

    return held ?? null;
  }

  buttonDown(button: Button): void {
    this.#buttons.add(button);
  }

  /** Whether a button-up should be sent: only for buttons whose button-down was. */
  buttonUp(button: Button): boolean {
    return this.#buttons.delete(button);
  }

  get empty(): boolean {
    return this.#keys.size === 0 && this.#buttons.size === 0;
  }

  /** The messages that let go of everything held, at the last pointer position. */
  releaseAll(x: number, y: number): InputMessage[] {
    const messages: InputMessage[] = [];
    for (const button of this.#buttons) {
      messages.push({ type: 'pointer.button', button, down: false, x, y });
    }
    for (const { key, code } of this.#keys.values()) {
      messages.push({ type: 'key', key, code, down: false });
    }
    this.#buttons.clear();
    this.#keys.clear();

    return messages;
  }
}
