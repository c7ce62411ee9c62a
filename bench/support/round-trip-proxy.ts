import type { Socket } from "bun";

/**
 * A TCP proxy in front of Redis that counts network round trips: every chunk
 * a client sends (one command, or a whole pipeline flushed at once) is one
 * trip to Redis and back. Counting on the wire, not in Redis's commandstats,
 * is what makes a pipeline or a script worth what it saves.
 */
export async function startRoundTripProxy(target: { hostname: string; port: number }) {
  let trips = 0;
  const open = new Set<Socket<unknown>>();
  const listener = Bun.listen<{ upstream?: Socket<unknown>; backlog: Uint8Array[] }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        open.add(client);
        client.data = { backlog: [] };
        const upstream = await Bun.connect({
          ...target,
          socket: {
            data: (_, chunk) => void client.write(chunk),
            close: () => {
              client.end();
            },
            error: () => {
              client.end();
            },
          },
        });
        open.add(upstream);
        client.data.upstream = upstream;
        for (const chunk of client.data.backlog) upstream.write(chunk);
      },
      data(client, chunk) {
        trips += 1;
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.backlog.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return {
    url: (db: number) => `redis://127.0.0.1:${listener.port}/${db}`,
    get trips() {
      return trips;
    },
    stop() {
      listener.stop(true);
      for (const socket of open) socket.terminate();
    },
  };
}
