import type { Socket, TCPSocketListener } from "bun";

/**
 * A TCP proxy in front of the test Redis that a test can take down and bring
 * back on the same port: a real network outage for a real client.
 */
export async function startTcpProxy(target: { hostname: string; port: number }) {
  let listener: TCPSocketListener | undefined;
  let port = 0;
  const open = new Set<Socket<unknown>>();

  async function listen() {
    listener = Bun.listen<{ upstream?: Socket<unknown>; backlog: Uint8Array[] }>({
      hostname: "127.0.0.1",
      port,
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
          if (client.data.upstream) client.data.upstream.write(chunk);
          else client.data.backlog.push(new Uint8Array(chunk));
        },
        close(client) {
          client.data.upstream?.end();
        },
      },
    });
    port = listener.port;
  }

  await listen();
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    /** Stops listening and cuts every open connection. */
    down() {
      listener?.stop(true);
      for (const socket of open) socket.terminate();
      open.clear();
    },
    up: listen,
  };
}
