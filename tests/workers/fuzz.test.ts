/**
 * Protocol fuzzer (README "The WebSocket protocol (version 1)": malformed input never crashes or mutates state).
 *
 * A seeded generator sends ≥ 10,000 bad frames per run to a real hub whose user is a member of a real
 * conversation: random bytes, binary and invalid UTF-8, invalid and truncated JSON, oversized frames,
 * valid frames with one field of the wrong type, unknown types, extra and `__proto__` keys, deep
 * nesting, extreme numbers, Unicode edge cases, and valid frames sent out of order (before `hello`).
 * Oracles: every frame is answered by exactly one schema-valid `error` frame (ServerFrame.parse in
 * the device helper), the sockets stay open, a `ping` after every batch is answered within 1 s, and
 * nothing changed — the conversation's last seq, both hubs' log heads, the chat lists.
 *
 * Replay: `FUZZ_SEED=<printed seed> npx vitest run --project workers tests/workers/fuzz.test.ts`;
 * `FUZZ_FRAMES=100000` for a longer (nightly) run.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ClientFrame, MAX_FRAME_BYTES, type ServerFrame } from "../../client/sdk/protocol/index.ts";
import { isType, openDevice, type TestDevice } from "./hub-socket.ts";
import "./bindings.ts";
import { seededRandom } from "../seeded-random.ts";

const SEED = Number(env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
const FRAMES = Math.max(10_000, Number(env.FUZZ_FRAMES) || 10_000);
const BATCH = 1_000;
const CONVERSATION = "d_fuzz";
const [ALICE, BOB] = ["fz_alice", "fz_bob"];

type Frame = string | ArrayBuffer;

class Generator {
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = seededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Valid frames of every type, aimed at the real conversation (state-changing if accepted). */
  valid(): Record<string, unknown> {
    const id = `f${this.int(1e6)}`;
    return this.pick([
      { type: "hello", v: 1, deviceId: "fuzz", cursor: this.int(10) },
      { type: "ack", cursor: this.int(100) },
      { type: "send", id, conversationId: CONVERSATION, clientId: id, text: "fuzz" },
      { type: "read", id, conversationId: CONVERSATION, upTo: 1 + this.int(3) },
      { type: "delete", id, conversationId: CONVERSATION, seq: 1, for: this.pick(["me", "everyone"]) },
      { type: "typing", conversationId: CONVERSATION, typing: true },
    ]);
  }

  weird(): unknown {
    return this.pick<unknown>([
      null,
      true,
      -1,
      0.5,
      1e308,
      -0,
      Number.MAX_SAFE_INTEGER + 2,
      "",
      "x".repeat(5000),
      "\u202e\u200b\ud800",
      "𝕏\u0000",
      [],
      [1, 2],
      {},
      { $gt: "" },
      "1",
      "NaN",
    ]);
  }

  /** Text that is not a frame we accept. Each case is one class of malformed input. */
  malformed(): Frame {
    const base = this.valid();
    switch (this.int(12)) {
      case 0: {
        // random bytes as binary
        const bytes = new Uint8Array(1 + this.int(256));
        for (let i = 0; i < bytes.length; i++) bytes[i] = this.int(256);
        return bytes.buffer;
      }
      case 1: {
        // invalid UTF-8 (lone continuation bytes, overlong encodings) as binary
        return new Uint8Array([0x7b, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0x7d]).buffer;
      }
      case 2: {
        // not JSON at all, or JSON with garbage after it
        return this.pick([
          "",
          " ",
          "{",
          "}",
          "nul",
          "{type:send}",
          "{'type':'ping'}",
          "[1,]",
          JSON.stringify(base) + "x",
        ]);
      }
      case 3: {
        // truncated valid frame
        const text = JSON.stringify(base);
        return text.slice(0, this.int(text.length - 1));
      }
      case 4: {
        // oversized: just over the cap, or far over
        const size = this.int(20) === 0 ? 256 * 1024 : MAX_FRAME_BYTES + 1 + this.int(MAX_FRAME_BYTES);
        return JSON.stringify({ ...base, text: "x".repeat(size) });
      }
      case 5: {
        // one field of the wrong type (or a weird value)
        const keys = Object.keys(base).filter((k) => k !== "type");
        const key = this.pick(keys);
        return JSON.stringify({ ...base, [key]: this.weird() });
      }
      case 6: {
        // a required field missing
        const keys = Object.keys(base).filter((k) => k !== "type");
        const copy: Record<string, unknown> = { ...base };
        delete copy[this.pick(keys)];
        return JSON.stringify(copy);
      }
      case 7: {
        // unknown or mistyped `type`
        return JSON.stringify({
          ...base,
          type: this.pick(["launch", "SEND", "send ", "", 7, null, ["send"], "__proto__"]),
        });
      }
      case 8: {
        // extra keys, including ones that forge server fields or poke the prototype
        const extra = this.pick(["senderId", "seq", "serverTs", "role", "userId", "isAdmin", "constructor"]);
        return this.pick([
          JSON.stringify({ ...base, [extra]: this.weird() ?? "x" }),
          JSON.stringify(base).replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
          JSON.stringify(base).replace(/^\{/, '{"constructor":{"prototype":{"x":1}},'),
        ]);
      }
      case 9: {
        // deep nesting, as a value and as the whole frame
        const depth = 100 + this.int(4000);
        return this.pick([
          "[".repeat(depth) + "]".repeat(depth),
          JSON.stringify({ ...base, text: undefined }).replace(
            /\}$/,
            `,"text":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`,
          ),
        ]);
      }
      case 10: {
        // extreme numbers in numeric fields
        const n = this.pick(["-1", "1e400", "-1e400", "1.5", "9007199254740993", "0x10", "NaN", "Infinity"]);
        return this.pick([
          `{"type":"ack","cursor":${n}}`,
          `{"type":"read","conversationId":"${CONVERSATION}","upTo":${n}}`,
          `{"type":"hello","v":${n},"deviceId":"x","cursor":0}`,
        ]);
      }
      default: {
        // Unicode edge cases in strings that must be ids
        const s = this.pick([
          "\u202eevil",
          "a\u200bb",
          "\ud800",
          "\udfff\ud800",
          "ｓｅｎｄ",
          "a".repeat(65),
          "../x",
          "a\u0000b",
        ]);
        return JSON.stringify({ ...base, ...("conversationId" in base ? { conversationId: s } : { deviceId: s }) });
      }
    }
  }
}

/** True when the text is a frame the hub would accept (then it must not be sent to the member socket). */
function accepted(frame: Frame): boolean {
  if (typeof frame !== "string" || frame.length > MAX_FRAME_BYTES) return false;
  try {
    return ClientFrame.safeParse(JSON.parse(frame)).success;
  } catch {
    return false;
  }
}

async function snapshot() {
  const [access, alice, bob, aliceChats, bobChats] = await Promise.all([
    env.CONVERSATION.getByName(CONVERSATION).access(ALICE),
    env.USER_HUB.getByName(ALICE).stats(),
    env.USER_HUB.getByName(BOB).stats(),
    env.USER_HUB.getByName(ALICE).chatList(),
    env.USER_HUB.getByName(BOB).chatList(),
  ]);
  return { lastSeq: access.maxSeq, aliceHead: alice.head, bobHead: bob.head, aliceChats, bobChats };
}

const answers = (d: TestDevice) => d.frames.filter((f) => f.type === "error" || f.type === "pong").length;

it(
  `survives ${FRAMES} malformed and out-of-order frames without a crash or a state change`,
  { timeout: 120_000 },
  async () => {
    console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${FRAMES} frames`);
    const opened = await env.CONVERSATION.getByName(CONVERSATION).open({
      id: CONVERSATION,
      type: "direct",
      creatorId: ALICE,
      memberIds: [BOB],
    });
    expect(opened.ok).toBe(true);
    for (let i = 1; i <= 3; i++)
      await env.CONVERSATION.getByName(CONVERSATION).send(ALICE, { clientId: `seed${i}`, text: `m${i}` });

    // A member's socket that said hello (gets only malformed frames), and one that never does
    // (gets malformed and valid frames: everything before hello is refused).
    const member = await openDevice(ALICE);
    member.send({ type: "hello", v: 1, deviceId: "fuzzer", cursor: 0 });
    await member.next(isType("synced"));
    // Let the seed messages' fan-out land first: live events after this point would be state changes.
    for (const user of [ALICE, BOB]) {
      const hub = env.USER_HUB.getByName(user);
      for (let i = 0; i < 300 && (await hub.stats()).head < 4; i++) await new Promise((r) => setTimeout(r, 10));
    }
    await member.until((fs) => fs.some((f) => f.type === "events" && f.events.some((e) => e.cursor === 4)));
    member.frames.length = 0;
    const early = await openDevice(ALICE);
    const closes: number[] = [];
    for (const d of [member, early]) d.ws.addEventListener("close", (e) => closes.push(e.code));
    const before = await snapshot();

    const gen = new Generator(SEED);
    const sent = new Map<TestDevice, number>([
      [member, 0],
      [early, 0],
    ]);
    let total = 0;
    const started = Date.now();
    while (total < FRAMES) {
      const batchEnd = Math.min(FRAMES, total + BATCH);
      for (; total < batchEnd; total++) {
        const toEarly = gen.int(5) === 0;
        let frame: Frame;
        if (toEarly) {
          frame = gen.int(2) === 0 ? JSON.stringify(gen.valid()) : gen.malformed();
          // `hello` would make it a member socket; the exact ping string is answered by the runtime.
          if (typeof frame === "string" && (frame.includes('"hello"') || frame === '{"type":"ping"}')) frame = "{";
        } else {
          do frame = gen.malformed();
          while (accepted(frame));
        }
        const device = toEarly ? early : member;
        device.ws.send(frame);
        sent.set(device, (sent.get(device) ?? 0) + 1);
      }
      // Every frame answered (one error each), then the socket still answers a ping within a second.
      for (const d of [member, early]) await d.until(() => answers(d) >= (sent.get(d) ?? 0), 30_000);
      member.send({ type: "ping" });
      const pongs = member.frames.filter(isType("pong")).length;
      await member.until((fs) => fs.filter((f) => f.type === "pong").length > pongs, 1_000);
      sent.set(member, (sent.get(member) ?? 0) + 1);
    }

    const errors = [...member.frames, ...early.frames].filter(isType("error"));
    const byCode = new Map<string, number>();
    for (const e of errors) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
    console.log(
      `fuzz: ${total} frames in ${Date.now() - started} ms, ${errors.length} error answers`,
      Object.fromEntries(byCode),
    );

    expect(closes).toEqual([]);
    expect(member.ws.readyState).toBe(WebSocket.OPEN);
    expect(early.ws.readyState).toBe(WebSocket.OPEN);
    expect(errors.length).toBe(total);
    const frames: ServerFrame[] = [...member.frames, ...early.frames];
    expect(frames.filter((f) => f.type === "sent" || f.type === "ok" || f.type === "events")).toEqual([]);
    expect(await snapshot()).toEqual(before);
  },
);
