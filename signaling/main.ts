import { resolve } from 'node:path';
import { createLogger } from './log.ts';
import { startSignaling } from './server.ts';
import { readTransportEnv } from './relay/transport-env.ts';
import { IceSettingsError, readIceEnv } from './turn/settings.ts';

/**
 * Command-line entry. Environment: PORT (8080), HOST (0.0.0.0), TETHER_DATA_DIR (./data),
 * LOG_LEVEL (info), and the TURN rung: TETHER_TURN_URLS, TETHER_TURN_SECRET or
 * TETHER_TURN_SECRET_FILE, TETHER_TURN_TTL_SECONDS, TETHER_ICE_TRANSPORT_POLICY (see
 * signaling/turn/settings.ts); the relay and drops: TETHER_WEBRTC, TETHER_RELAY_AFTER_SECONDS,
 * TETHER_RECONNECT_GRACE_SECONDS (see signaling/relay/transport-env.ts); TETHER_PUBLIC_URL, the
 * console's address: https:// there makes the session cookie Secure.
 */
async function main(): Promise<void> {
  const logger = createLogger();
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    logger.fatal({ port: process.env.PORT }, 'PORT must be a port number');
    process.exit(2);
  }
  let ice;
  let connectivity;
  try {
    ice = readIceEnv(process.env);
    connectivity = readTransportEnv(process.env);
  } catch (error) {
    if (!(error instanceof IceSettingsError)) throw error;
    logger.fatal(error.message);
    process.exit(2);
  }

  const server = await startSignaling({
    port,
    host: process.env.HOST ?? '0.0.0.0',
    dataDir: resolve(process.env.TETHER_DATA_DIR ?? './data'),
    logger,
    turn: ice.turn,
    iceTransportPolicy: ice.iceTransportPolicy,
    transport: connectivity.transport,
    reconnectGraceMs: connectivity.reconnectGraceMs,
    publicUrl: process.env.TETHER_PUBLIC_URL,
  });
  logger.info(
    {
      turnUrls: ice.turn?.urls ?? [],
      iceTransportPolicy: ice.iceTransportPolicy,
      webrtc: connectivity.transport.webrtc,
    },
    `console at ${server.url}`,
  );

  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  createLogger().fatal({ err: error }, 'signaling failed to start');
  process.exit(1);
});
