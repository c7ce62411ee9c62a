import { parseFaultFlags } from "../src/pos/simulator/fault-flags";
import { startPosSimulator } from "../src/pos/simulator/pos-simulator";
import { exitWithUsage, intFlag, parseCommandLine } from "../src/runtime/command-line";

const USAGE = `bun run pos:sim [--port 4010] [--random-seed N] [--fault vendor:fault=value]...

  faults: latencyMs=200 · errorRate=0.3 · failAfterCommitRate=0.2 · hangRate=0.1
          rateLimit=5x2 (five 429s, Retry-After 2 s) · outage=10000 or outage=5000-15000 (ms after start)
  vendor: square | toast | local | all
  example: bun run pos:sim --fault square:errorRate=0.5 --fault all:latencyMs=50`;

const { values } = parseCommandLine({
  usage: USAGE,
  options: {
    port: { type: "string", default: "4010" },
    "random-seed": { type: "string" },
    fault: { type: "string", multiple: true, default: [] as string[] },
  },
});

let settings: Parameters<typeof startPosSimulator>[0];
try {
  settings = {
    port: intFlag(values.port, "port", 0, 65535),
    faults: parseFaultFlags(values.fault),
    randomSeed: values["random-seed"] === undefined ? undefined : intFlag(values["random-seed"], "random-seed", 0),
  };
} catch (error) {
  exitWithUsage({ usage: USAGE }, error);
}
const sim = await startPosSimulator(settings);

console.log(`POS simulator listening on ${sim.url}`);
for (const vendor of ["square", "toast", "local"] as const) console.log(`  ${vendor.padEnd(6)} ${sim.baseUrl(vendor)}`);
console.log(`  control ${sim.url}/__control (GET counts, POST faults, GET :vendor/orders, …)`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await sim.stop();
    process.exit(0);
  });
}
