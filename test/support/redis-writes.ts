import Redis from 'ioredis';

/** The clock sync's `TIME` samples: periodic, on the state connection, never a request's. */
const ONLY_TIME = /^(\*1\r\n\$4\r\nTIME\r\n)+$/i;

/**
 * Counts the requests sent on the clients' sockets from now on: each write is one round trip
 * (auto-pipelining sends a batch in one write). Writes holding nothing but the clock sync's
 * `TIME` are not counted; a `TIME` batched with other commands costs no round trip of its own.
 */
export function countWrites(...clients: Redis[]): () => number {
  let writes = 0;
  const restore = clients.map((client) => {
    const stream = (client as unknown as { stream: NodeJS.WritableStream }).stream;
    const write = stream.write.bind(stream);
    stream.write = ((...args: Parameters<typeof write>) => {
      const chunk = args[0];
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      if (!ONLY_TIME.test(text)) writes++;
      return write(...args);
    }) as typeof stream.write;
    return () => (stream.write = write);
  });
  return () => {
    restore.forEach((r) => r());
    return writes;
  };
}
