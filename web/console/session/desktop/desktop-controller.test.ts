import { describe, it, expect } from 'vitest';
import type { Capability } from '../../../../shared/capabilities.ts';
import type {
  DesktopRequest,
  DesktopStatus,
  InputMessage,
} from '../../../../shared/protocol/desktop.ts';
import { DesktopController } from './desktop-controller.svelte.ts';

function status(overrides: Partial<DesktopStatus> = {}): DesktopStatus {
  return {
    type: 'desktop.status',
    state: 'stopped',
    reason: null,
    displays: [
      { id: 'd1', name: 'Left', width: 1280, height: 720, primary: false },
      { id: 'd2', name: 'Main', width: 1920, height: 1080, primary: true },
    ],
    displayId: null,
    control: false,
    ...overrides,
  };
}

function setup(granted: Capability[] = ['logs.read', 'screen.view']) {
  const sent: DesktopRequest[] = [];
  const input: InputMessage[] = [];
  const context = { connected: true, granted };
  const desktop = new DesktopController(
    { send: (m) => sent.push(m), sendInput: (m) => input.push(m) },
    () => context,
  );

  return { desktop, sent, input, context };
}

describe('DesktopController', () => {
  it('views the primary display while the Screen tab is open, and stops when it closes', () => {
    const { desktop, sent } = setup();
    desktop.onStatus(status());

    desktop.show(true);
    desktop.show(true);
    desktop.show(false);

    expect(sent).toEqual([{ type: 'desktop.view', displayId: 'd2' }, { type: 'desktop.stop' }]);
  });

  it('waits for screen.view, then starts as soon as it is granted', () => {
    const { desktop, sent, context } = setup(['logs.read']);
    desktop.onStatus(status());
    desktop.show(true);
    expect(sent).toEqual([]);

    context.granted = ['logs.read', 'screen.view'];
    desktop.sync();
    context.granted = ['logs.read'];
    desktop.sync();

    expect(sent).toEqual([{ type: 'desktop.view', displayId: 'd2' }, { type: 'desktop.stop' }]);
  });

  it('asks for nothing when the desktop is unavailable', () => {
    const { desktop, sent } = setup();
    desktop.onStatus(status({ state: 'unavailable', reason: 'No display', displays: [] }));
    desktop.show(true);

    expect(sent).toEqual([]);
  });

  it('switches display while viewing, and sends nothing more once disconnected', () => {
    const { desktop, sent, context } = setup();
    desktop.onStatus(status({ state: 'streaming', displayId: 'd2' }));
    desktop.show(true);
    desktop.selectDisplay('d1');

    context.connected = false;
    desktop.disconnected();
    desktop.show(false);

    expect(sent).toEqual([
      { type: 'desktop.view', displayId: 'd2' },
      { type: 'desktop.view', displayId: 'd1' },
    ]);
  });

  it('sends input only with control granted and accepted by the agent', () => {
    const { desktop, input, context } = setup();
    desktop.onStatus(status({ control: true }));
    desktop.input({ type: 'clipboard.get' });
    expect(input).toEqual([]);

    context.granted = ['screen.view', 'screen.control'];
    desktop.input({ type: 'clipboard.get' });
    expect(input).toEqual([{ type: 'clipboard.get' }]);
  });

  it('keeps clipboard text and refusals from the agent', () => {
    const { desktop } = setup();
    desktop.onReply({ type: 'clipboard.text', text: 'hello' });
    desktop.onReply({ type: 'input.refused', reason: 'Control was not granted.' });

    expect(desktop.clipboardText).toBe('hello');
    expect(desktop.refused).toBe('Control was not granted.');
  });
});
