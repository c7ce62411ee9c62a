/**
 * The fallback load generator when wrk is missing: one case, given as a JSON
 * argument, run by `runLoad` in this process; prints its result as JSON.
 */
import { runLoad } from "./load";

const options = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
};
const result = await runLoad({
  send: () => fetch(options.url, { headers: options.headers ?? {} }),
  concurrency: options.concurrency,
  durationMs: options.durationMs,
});
console.log(JSON.stringify(result));
