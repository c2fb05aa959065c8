import net from 'node:net';

/**
 * A port that is free right now on 127.0.0.1, for servers that cannot bind port 0 (Postgres).
 * Drawn below 32768: ports in Linux's ephemeral range (32768-60999) can be taken by any outgoing
 * client socket between this check and the bind.
 */
export async function findFreePort(low = 20000, high = 32767): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

/** Whether `port` on 127.0.0.1 can be bound right now. */
export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
