import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Whether a request is addressed to the consent server by its loopback name. A page on
 * some other site that re-points its own host name at 127.0.0.1 (DNS rebinding) still
 * sends its own name in Host, and is refused.
 */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host?.toLowerCase();
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * Whether a browser request comes from the consent page itself. Browsers send Origin on
 * WebSocket and cross-origin requests; a missing Origin is a same-origin GET or a local
 * program, which loopback binding already limits to this machine.
 */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin?.toLowerCase();
  if (origin === undefined) return true;

  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/** Headers for every answer: no framing, no sniffing, nothing loaded from elsewhere. */
export function setSecurityHeaders(res: ServerResponse, port: number): void {
  const self = [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`].join(' ');
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      // Svelte sets style attributes at run time.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ${self}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader(
    'Permissions-Policy',
    'camera=(), microphone=(), geolocation=(), display-capture=()',
  );
}
