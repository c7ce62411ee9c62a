import { LocalPosAdapter } from "./local/local-adapter";
import { SquareAdapter } from "./square/square-adapter";
import { ToastAdapter } from "./toast/toast-adapter";
import { ToastTokenCache } from "./toast/toast-token-cache";
import type { PosAdapter, PosAdapterOptions } from "./types";

/** One token cache per process: jobs build an adapter each, Toast tokens live for a day. */
const sharedToastTokens = new ToastTokenCache();

/** The adapter for a `pos_connections` row. */
export function createPosAdapter(options: PosAdapterOptions): PosAdapter {
  switch (options.connection.posType) {
    case "square":
      return new SquareAdapter(options);
    case "toast":
      return new ToastAdapter({ ...options, tokenCache: sharedToastTokens });
    case "local":
      return new LocalPosAdapter(options);
  }
}
