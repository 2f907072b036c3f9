/**
 * Test ids shared by the Svelte components and the end-to-end tests. Tests should prefer
 * roles and accessible names; these cover what has no natural name (lists, counters).
 */
export const TEST_IDS = {
  signInError: 'sign-in-error',
  topBarUser: 'top-bar-user',
  reconnectBanner: 'reconnect-banner',
  agentList: 'agent-list',
  agentItem: 'agent-item',
  deviceTable: 'device-table',
  requestUnavailable: 'request-unavailable',
  sessionPanel: 'session-panel',
  sessionState: 'session-state',
  sessionEndReason: 'session-end-reason',
  connectionPath: 'connection-path',
  roundTrip: 'round-trip',
  logView: 'log-view',
  logLineCount: 'log-line-count',
  logPausedNote: 'log-paused-note',
  consentAgentStatus: 'consent-agent-status',
  consentRequest: 'consent-request',
  consentCountdown: 'consent-countdown',
  consentActive: 'consent-active',
  consentRecent: 'consent-recent',
  consentEmpty: 'consent-empty',
  consentLostBanner: 'consent-lost-banner',
} as const;
