// Who may hold the bridge's connections: a socket is nobody's until one of its requests passes the token check, so other local users' idle or half-open sockets neither fill the slots authenticated clients use nor live long.
import type { Socket } from "node:net";

export interface ConnectionLimits {
  /** Connections that have passed the token check; a request beyond them is refused with 503. */
  maxConnections: number;
  /** Connections that have not (yet) passed it; a new one beyond them evicts the oldest. */
  maxUnauthenticatedConnections: number;
  /** How long a connection that has not passed the token check may stay idle. */
  unauthenticatedIdleMs: number;
}

export interface ConnectionGate {
  /** Called for every accepted socket. */
  admit(socket: Socket): void;
  /** Marks the socket as an authenticated client's; false when all authenticated slots are taken. */
  authenticate(socket: Socket): boolean;
}

/**
 * Anyone on the machine can connect to a loopback port, and the bridge cannot tell which user did. So unauthenticated
 * sockets get their own pool, bounded by evicting the oldest (a loopback client sends its request within a millisecond
 * of connecting, so it is never the oldest), and a short idle timeout; the slots authenticated clients use are taken only
 * after the token check, so no number of foreign sockets keeps the window's own pi and agents out.
 */
export function createConnectionGate(limits: ConnectionLimits): ConnectionGate {
  // Insertion order is age order, so the first entry is the one to evict.
  const unauthenticated = new Set<Socket>();
  const authenticated = new Set<Socket>();
  const forget = (socket: Socket): void => {
    unauthenticated.delete(socket);
    authenticated.delete(socket);
  };
  return {
    admit(socket) {
      unauthenticated.add(socket);
      socket.once("close", () => forget(socket));
      socket.setTimeout(limits.unauthenticatedIdleMs, () => {
        if (unauthenticated.has(socket)) socket.destroy();
      });
      while (unauthenticated.size > limits.maxUnauthenticatedConnections) {
        const oldest = unauthenticated.values().next().value!;
        unauthenticated.delete(oldest);
        oldest.destroy();
      }
    },
    authenticate(socket) {
      if (authenticated.has(socket)) return true;
      if (authenticated.size >= limits.maxConnections) return false;
      unauthenticated.delete(socket);
      authenticated.add(socket);
      // From here Node's own keep-alive, header and request timeouts apply.
      socket.setTimeout(0);
      return true;
    },
  };
}
