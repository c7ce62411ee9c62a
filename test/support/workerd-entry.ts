import type { ExecutionContext } from "hono";
import edge from "../../src/edge";

/**
 * src/edge.ts as `wrangler dev` serves it. A Worker that wrangler dev bundles itself gets its
 * middleware that reads what is left of a request's body after the response (a 413 answered early
 * leaves bytes unread, and local workerd then hangs the next request on that connection). The
 * tests bundle once with `wrangler deploy --dry-run` instead (test/support/runtime.ts), so this entry
 * does the same; deployed Workers need no such thing.
 */
export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    try {
      return await edge.fetch(request, env, ctx);
    } finally {
      if (request.body && !request.bodyUsed) await request.body.pipeTo(new WritableStream()).catch(() => {});
    }
  },
  scheduled: edge.scheduled,
};
