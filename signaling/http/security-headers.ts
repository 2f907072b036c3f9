import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Host header we are willing to echo into the CSP: name or address, optional port. */
const SAFE_HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * Headers on every response. The CSP allows only this origin for scripts and connections
 * (socket.io's WebSocket is named explicitly because older browsers do not count ws: as
 * 'self'), inline styles because Svelte sets them, and blob: workers for xterm.js.
 */
export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  const host = req.headers.host ?? '';
  const sockets = SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * Whether a browser request comes from our own origin. Requests with no Origin header
 * (the agent, curl) pass: the check is against cross-site pages riding on the cookie.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;

  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
