import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

/** Lines the terminal itself keeps; the ring buffer behind it keeps more. */
export const TERMINAL_SCROLLBACK = 5_000;

/** A calm dark palette whose ANSI colours stay readable on the dark background. */
const THEME: ITheme = {
  background: '#10202a',
  foreground: '#dde6ec',
  cursor: '#10202a',
  cursorAccent: '#10202a',
  selectionBackground: '#2f5b6c',
  black: '#10202a',
  red: '#ff7d73',
  green: '#7fdca0',
  yellow: '#f3c45a',
  blue: '#7ab7ff',
  magenta: '#d3a9ff',
  cyan: '#70d2df',
  white: '#dde6ec',
  brightBlack: '#8d9daa',
  brightRed: '#ff9b93',
  brightGreen: '#a4ebbd',
  brightYellow: '#ffd983',
  brightBlue: '#a6cfff',
  brightMagenta: '#e4c8ff',
  brightCyan: '#a0e6ef',
  brightWhite: '#ffffff',
};

/** How search hits look: all matches amber, the current one brighter with a border. */
export const SEARCH_OPTIONS: ISearchOptions = {
  decorations: {
    matchBackground: '#6b5310',
    matchBorder: '#f3c45a',
    matchOverviewRuler: '#f3c45a',
    activeMatchBackground: '#b3861a',
    activeMatchBorder: '#ffffff',
    activeMatchColorOverviewRuler: '#ffffff',
  },
};

export interface LogTerminal {
  terminal: Terminal;
  search: SearchAddon;
  dispose(): void;
}

/**
 * A read-only xterm.js terminal for log lines, fitted to `host` as it resizes. The
 * default DOM renderer is kept on purpose: its rows are real text that assistive
 * technology and tests can read.
 */
export function createLogTerminal(host: HTMLElement): LogTerminal {
  const terminal = new Terminal({
    disableStdin: true,
    convertEol: true,
    cursorBlink: false,
    cursorStyle: 'bar',
    cursorInactiveStyle: 'none',
    scrollback: TERMINAL_SCROLLBACK,
    fontFamily: "ui-monospace, 'SFMono-Regular', 'Cascadia Mono', 'DejaVu Sans Mono', monospace",
    fontSize: 13,
    lineHeight: 1.25,
    minimumContrastRatio: 4.5,
    theme: THEME,
    // Search decorations use the decoration API, which xterm still marks as proposed.
    allowProposedApi: true,
  });
  const fit = new FitAddon();
  const search = new SearchAddon({ highlightLimit: 2_000 });
  terminal.loadAddon(fit);
  terminal.loadAddon(search);
  terminal.open(host);

  let frame = 0;
  const refit = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
    });
  };
  const observer = new ResizeObserver(refit);
  observer.observe(host);
  refit();

  return {
    terminal,
    search,
    dispose() {
      cancelAnimationFrame(frame);
      observer.disconnect();
      terminal.dispose();
    },
  };
}
