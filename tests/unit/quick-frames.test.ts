/**
 * The hub's hand-checked fast path (client/sdk/protocol/quick-frames.ts) against the schema it
 * stands in for: whatever it accepts, `ClientFrame` accepts with the same data, over seeded
 * mutations of every hot frame (wrong types, extra and `__proto__` keys, lengths at and past each
 * limit, control characters, lone surrogates, extreme numbers); and it does accept the frames
 * devices really send, or it would be no fast path at all.
 */
import { describe, expect, it } from "vitest";
import {
  ClientFrame,
  MAX_CLIENT_ID_CHARS,
  MAX_FRAME_ID_CHARS,
  MAX_ID_CHARS,
  quickClientFrame,
} from "../../client/sdk/protocol/index.ts";
import { seededRandom } from "../seeded-random.ts";

const TYPICAL: Record<string, unknown>[] = [
  { type: "ack", cursor: 0 },
  { type: "ack", cursor: 12345 },
  { type: "send", id: "f1", conversationId: "d_abc-DEF_123", clientId: "c-1", text: "hi\n\tthere 👋 ünïcode" },
  { type: "send", id: "f2", conversationId: "g_1", clientId: "x".repeat(MAX_CLIENT_ID_CHARS), mediaId: "m_1" },
  {
    type: "send",
    id: "f".repeat(MAX_FRAME_ID_CHARS),
    conversationId: "c".repeat(MAX_ID_CHARS),
    clientId: "c",
    text: "a",
    mediaId: "m",
  },
  { type: "send", id: "f3", conversationId: "d_1", clientId: "c-3", text: "re", replyTo: 7 },
  { type: "read", conversationId: "d_1", upTo: 1 },
  { type: "read", id: "r1", conversationId: "d_1", upTo: Number.MAX_SAFE_INTEGER },
  { type: "read", id: "r2", conversationId: "d_1", upTo: 3, ack: 0 },
  { type: "read", id: "r3", conversationId: "d_1", upTo: 3, ack: Number.MAX_SAFE_INTEGER },
  { type: "typing", conversationId: "g_2", typing: false },
  { type: "ping" },
];

const STRANGE_VALUES: unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER + 1,
  1e308,
  "",
  "a",
  "0",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0007",
  "\n",
  "\t",
  "line\nbreak",
  "\u007f",
  "\u0085",
  "\ud800",
  "a\udc00",
  "😀",
  "id with space",
  "ÿ",
  "x".repeat(MAX_FRAME_ID_CHARS),
  "x".repeat(MAX_FRAME_ID_CHARS + 1),
  "x".repeat(MAX_ID_CHARS),
  "x".repeat(MAX_ID_CHARS + 1),
  "x".repeat(MAX_CLIENT_ID_CHARS + 1),
  [],
  ["a"],
  {},
  { nested: 1 },
];
const KEYS = [
  "type",
  "id",
  "conversationId",
  "clientId",
  "text",
  "mediaId",
  "replyTo",
  "upTo",
  "cursor",
  "ack",
  "typing",
  "extra",
];

function mutate(base: Record<string, unknown>, rand: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const frame: Record<string, unknown> = { ...base };
  const edits = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < edits; i++) {
    const roll = rand();
    if (roll < 0.15) delete frame[pick(Object.keys(frame))];
    else if (roll < 0.25) frame[pick(KEYS)] = pick(STRANGE_VALUES);
    else if (roll < 0.3) {
      const rest = JSON.stringify(frame).slice(1);
      return JSON.parse(`{"__proto__": {"type": "ack"}${rest === "}" ? "" : ","} ${rest}`);
    } else if (roll < 0.35) frame.type = pick(["ack", "send", "read", "typing", "ping", "hello", "delete", "ACK", ""]);
    else frame[pick(Object.keys(frame))] = pick(STRANGE_VALUES);
  }
  // What a socket carries is JSON: undefined fields vanish, -0 survives as 0.
  return JSON.parse(JSON.stringify(frame));
}

describe("the hub's fast path for hot frames", () => {
  it("takes the frames devices really send, with the schema's data", () => {
    for (const frame of TYPICAL) {
      const quick = quickClientFrame(frame);
      expect(quick, JSON.stringify(frame)).not.toBeNull();
      expect(quick).toEqual(ClientFrame.parse(frame));
    }
  });

  it("never takes a frame the schema refuses, and never changes what it takes (20,000 mutations)", () => {
    const rand = seededRandom(0x5eed);
    let taken = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const frame = mutate(TYPICAL[i % TYPICAL.length] as Record<string, unknown>, rand);
      const quick = quickClientFrame(frame);
      const schema = ClientFrame.safeParse(frame);
      if (quick === null) {
        if (!schema.success) refused++;
        continue;
      }
      taken++;
      expect(schema.success, JSON.stringify(frame)).toBe(true);
      expect(quick, JSON.stringify(frame)).toEqual(schema.data);
    }
    // Both sides of the property were exercised.
    expect(taken).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(5_000);
  });

  it("leaves everything but the hot frames to the schema", () => {
    expect(quickClientFrame({ type: "hello", v: 1, deviceId: "d", cursor: 0 })).toBeNull();
    expect(quickClientFrame({ type: "delete", id: "f", conversationId: "c", seq: 1, for: "me" })).toBeNull();
    expect(quickClientFrame([{ type: "ping" }])).toBeNull();
    expect(quickClientFrame("ping")).toBeNull();
  });
});
