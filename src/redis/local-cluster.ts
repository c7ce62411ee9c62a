import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { ClusterNodeAddress } from "./cluster";

/** One `redis-server` of a local cluster; `kill` and `start` let fault tests take it down and back. */
export type LocalClusterNode = {
  readonly port: number;
  readonly address: string;
  /** Stops the process with a signal (SIGKILL for a crash) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same port and nodes.conf, so it rejoins the cluster. */
  start(): Promise<void>;
  readonly running: boolean;
};

/** A Redis Cluster of `redis-server` processes on loopback ports, for the tests, CI and developers. */
export type LocalCluster = {
  readonly nodes: readonly LocalClusterNode[];
  /** Seed nodes for the cluster client: every node, so any one that is up gives the client the map. */
  readonly seeds: readonly ClusterNodeAddress[];
  /** `REDIS_CLUSTER_NODES` for this cluster. */
  readonly env: string;
  stop(): Promise<void>;
};

export type LocalClusterOptions = {
  masters?: number;
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a silent master has before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Append-only files, so a node killed and started again comes back with its data. */
  appendOnly?: boolean;
  /** Called with progress lines (the dev script prints them). */
  onProgress?: (line: string) => void;
};

async function freePorts(count: number): Promise<number[]> {
  const probes = Array.from({ length: count }, () =>
    Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }),
  );
  const ports = probes.map((p) => p.port);
  for (const probe of probes) probe.stop(true);
  return ports;
}

async function cli(args: readonly string[]): Promise<{ code: number; out: string }> {
  const child = Bun.spawn(["redis-cli", ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code: await child.exited, out: out + err };
}

async function waitUntil(label: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`local Redis Cluster: ${label} not reached within ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, "m").exec(text)?.[1]?.trim();
}

/** True once every running node reports the cluster whole and every master has its replicas in sync. */
export async function clusterSettled(nodes: readonly LocalClusterNode[], replicasPerMaster: number): Promise<boolean> {
  for (const node of nodes) {
    if (!node.running) continue;
    const info = await cli(["-p", String(node.port), "CLUSTER", "INFO"]);
    if (field(info.out, "cluster_state") !== "ok") return false;
    const replication = (await cli(["-p", String(node.port), "INFO", "replication"])).out;
    const role = field(replication, "role");
    if (role === "master" && Number(field(replication, "connected_slaves")) < replicasPerMaster) return false;
    if (role === "slave" && field(replication, "master_link_status") !== "up") return false;
  }
  return true;
}

/**
 * Starts `masters × (1 + replicasPerMaster)` `redis-server --cluster-enabled yes` processes on free
 * loopback ports (bus ports chosen free too), joins them with `redis-cli --cluster create`, and
 * waits for `cluster_state:ok` with every replica in sync.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  const say = options.onProgress ?? (() => {});
  const binary = Bun.which("redis-server");
  if (!binary || !Bun.which("redis-cli")) throw new Error("redis-server and redis-cli (Redis 7+) must be on PATH");
  const count = masters * (1 + replicas);
  const ports = await freePorts(count * 2);
  const dir = mkdtempSync(join(tmpdir(), "fh-redis-cluster-"));
  const nodes = ports.slice(0, count).map((port, i): LocalClusterNode => {
    const busPort = ports[count + i]!;
    let child: Subprocess | null = null;
    const args = [
      binary,
      "--port",
      String(port),
      "--cluster-port",
      String(busPort),
      "--bind",
      "127.0.0.1",
      "--cluster-enabled",
      "yes",
      // A node learns its own address from its peers; a lone master has none, so say it.
      "--cluster-announce-ip",
      "127.0.0.1",
      "--cluster-config-file",
      `nodes-${port}.conf`,
      "--cluster-node-timeout",
      String(nodeTimeoutMs),
      "--dir",
      dir,
      "--dbfilename",
      `dump-${port}.rdb`,
      "--save",
      "",
      "--appendonly",
      options.appendOnly ? "yes" : "no",
      "--appendfilename",
      `appendonly-${port}.aof`,
      "--appenddirname",
      `aof-${port}`,
      "--maxmemory-policy",
      "noeviction",
    ];
    return {
      port,
      address: `127.0.0.1:${port}`,
      get running() {
        return child !== null && child.exitCode === null && child.signalCode === null;
      },
      async kill(signal = "SIGTERM") {
        if (!child) return;
        child.kill(signal);
        await child.exited;
        child = null;
      },
      async start() {
        if (child) return;
        child = Bun.spawn(args, { stdout: "ignore", stderr: "inherit" });
        await waitUntil(`node ${port} answering`, 10_000, async () =>
          (await cli(["-p", String(port), "PING"])).out.includes("PONG"),
        );
      },
    };
  });
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    say(`started ${count} redis-server processes on ports ${ports.slice(0, count).join(", ")}`);
    if (masters === 1) {
      // `redis-cli --cluster create` wants three masters; one node simply takes every slot.
      const added = await cli(["-p", String(nodes[0]!.port), "CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
      if (!added.out.includes("OK")) throw new Error(`CLUSTER ADDSLOTSRANGE failed: ${added.out}`);
    } else {
      const created = await cli([
        "--cluster",
        "create",
        ...nodes.map((n) => n.address),
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes",
      ]);
      if (created.code !== 0 || !created.out.includes("[OK] All 16384 slots covered")) {
        throw new Error(`redis-cli --cluster create failed:\n${created.out}`);
      }
    }
    await waitUntil("cluster_state:ok with replicas in sync", 30_000, () => clusterSettled(nodes, replicas));
    say(`cluster ready: ${masters} masters, ${replicas} replica(s) each`);
  } catch (error) {
    await stop();
    throw error;
  }
  const seeds = nodes.map((n) => ({ host: "127.0.0.1", port: n.port }));
  return { nodes, seeds, env: seeds.map((s) => `${s.host}:${s.port}`).join(","), stop };
}
