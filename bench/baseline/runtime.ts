/**
 * The Workers runtime types the baseline uses, imported as a module. The bench is type-checked as
 * Node code (tsconfig.node.json), where the runtime's ambient globals would clash with Node's and
 * the DOM's; importing the few types needed keeps both worlds apart.
 */
export type {
  DurableObjectNamespace,
  DurableObjectState,
  R2Bucket,
  WebSocket as RuntimeWebSocket,
} from "@cloudflare/workers-types/index.ts";
import type { WebSocketPair as Pair } from "@cloudflare/workers-types/index.ts";

/** The runtime's `WebSocketPair` global (a value, so it is declared rather than imported). */
export const WebSocketPair = (globalThis as unknown as { WebSocketPair: typeof Pair }).WebSocketPair;
