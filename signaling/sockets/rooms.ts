/** socket.io room holding all of one technician's console sockets. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** socket.io room holding the console sockets of one web session, to drop them on sign-out. */
export function webSessionRoom(tokenHash: string): string {
  return `web:${tokenHash}`;
}

/** socket.io room holding an agent's one live socket. */
export function agentRoom(agentId: string): string {
  return `agent:${agentId}`;
}
