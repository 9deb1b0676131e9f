/**
 * The hub's fast path for the frames a device sends most (`ack`, `send` — a forward goes to the schema —, `read`, `typing`, `ping`):
 * hand-written checks of exactly the rules of `ClientFrame` (./frames.ts), about a tenth of a zod
 * parse in workerd, which runs without code generation. It only ever says "valid": anything it does
 * not accept goes through the schema, which accepts it after all or produces the error frame, so the
 * answers to bad input have a single source. tests/unit/quick-frames.test.ts holds it to the schema
 * (every frame it accepts, the schema accepts with the same data) over generated good and bad frames.
 */
import type { ClientFrame } from "./frames.ts";
import { MAX_CLIENT_ID_CHARS, MAX_FRAME_ID_CHARS, MAX_ID_CHARS } from "./limits.ts";
import { isCleanString } from "./strings.ts";

const ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_ID_CHARS}}$`);

const isId = (v: unknown): v is string => typeof v === "string" && ID.test(v);
const isLine = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.length >= 1 && v.length <= max && isCleanString(v);
const isText = (v: unknown): v is string => typeof v === "string" && v.length >= 1 && isCleanString(v, true);
const isCursor = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;

/** Every own key of `frame` is one of `allowed` (strict objects: an unknown key is an error). */
function onlyKeys(frame: object, allowed: readonly string[]): boolean {
  for (const key of Object.keys(frame)) if (!allowed.includes(key)) return false;
  return true;
}

const SEND_KEYS = ["type", "id", "conversationId", "clientId", "text", "mediaId", "replyTo"] as const;
const READ_KEYS = ["type", "id", "conversationId", "upTo", "ack"] as const;
const TYPING_KEYS = ["type", "conversationId", "typing"] as const;

/** `json` as a frame when it is certainly a valid one of the hot types, else null (ask the schema). */
export function quickClientFrame(json: unknown): ClientFrame | null {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const f = json as Record<string, unknown>;
  switch (f.type) {
    case "ack":
      return onlyKeys(f, ["type", "cursor"]) && isCursor(f.cursor) ? { type: "ack", cursor: f.cursor } : null;
    case "send": {
      if (!onlyKeys(f, SEND_KEYS)) return null;
      const { id, conversationId, clientId, text, mediaId, replyTo } = f;
      if (!isLine(id, MAX_FRAME_ID_CHARS) || !isId(conversationId) || !isLine(clientId, MAX_CLIENT_ID_CHARS))
        return null;
      if ((text !== undefined && !isText(text)) || (mediaId !== undefined && !isId(mediaId))) return null;
      if (replyTo !== undefined && !isSeq(replyTo)) return null;
      return {
        type: "send",
        id,
        conversationId,
        clientId,
        ...(text !== undefined ? { text } : {}),
        ...(mediaId !== undefined ? { mediaId } : {}),
        ...(replyTo !== undefined ? { replyTo } : {}),
      };
    }
    case "read": {
      if (!onlyKeys(f, READ_KEYS) || !isId(f.conversationId) || !isSeq(f.upTo)) return null;
      if (f.id !== undefined && !isLine(f.id, MAX_FRAME_ID_CHARS)) return null;
      if (f.ack !== undefined && !isCursor(f.ack)) return null;
      return {
        type: "read",
        conversationId: f.conversationId,
        upTo: f.upTo,
        ...(f.id !== undefined ? { id: f.id } : {}),
        ...(f.ack !== undefined ? { ack: f.ack } : {}),
      };
    }
    case "typing":
      return onlyKeys(f, TYPING_KEYS) && isId(f.conversationId) && typeof f.typing === "boolean"
        ? { type: "typing", conversationId: f.conversationId, typing: f.typing }
        : null;
    case "ping":
      return onlyKeys(f, ["type"]) ? { type: "ping" } : null;
    default:
      return null;
  }
}
