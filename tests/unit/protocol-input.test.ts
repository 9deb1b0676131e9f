/**
 * The protocol module's input rules, without a runtime: every string a client can send refuses
 * control characters (README "Security"), names people read refuse invisible-only values and bidi
 * controls (item 11), weak passwords are `weak_password` (item 10), and the two limits that have their
 * own codes say so: a too-long text is `message_too_large`, too many group members `group_full`.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import * as protocolIndex from "../../client/sdk/protocol/index.ts";
import * as mediaProtocol from "../../client/sdk/protocol/media.ts";
import {
  AddMembersBody,
  ClientFrame,
  COMMON_PASSWORD_COUNT,
  CreateConversationBody,
  MAX_GROUP_MEMBERS,
  MAX_TEXT_BYTES,
  RegisterBody,
  SendMessageBody,
  ServerFrame,
  UpdateGroupBody,
  UpdateMeBody,
  UserSearchQuery,
  validationError,
} from "../../client/sdk/protocol/index.ts";

/** A valid input for every schema a client sends, one or more per schema (one per union variant). */
const SAMPLES: Record<string, unknown[]> = {
  RegisterBody: [{ username: "alice", password: "correct horse", displayName: "Alice" }],
  LoginBody: [{ username: "alice", password: "correct horse" }],
  UpdateMeBody: [{ displayName: "Alice", about: "hi there", pictureMediaId: "m_1" }],
  UserSearchQuery: [{ q: "al" }],
  CreateConversationBody: [
    { type: "direct", userId: "u_bob" },
    { type: "group", name: "Team", memberIds: ["u_bob", "u_carol"], pictureMediaId: "m_1" },
  ],
  SendMessageBody: [
    { clientId: "c-1", text: "hello", mediaId: "m_1" },
    { clientId: "c-2", text: "yes", replyTo: 3 },
    { clientId: "c-3", forwardOf: { conversationId: "c_2", seq: 4 } },
  ],
  EditMessageBody: [{ text: "hello, edited" }],
  ReactionBody: [{ emoji: "👍" }, { emoji: "👨‍👩‍👧" }],
  HistoryQuery: [{ before: "10", limit: "5" }],
  DeleteMessageQuery: [{ for: "everyone" }],
  ReadBody: [{ upTo: 3 }],
  AddMembersBody: [{ userIds: ["u_bob"] }],
  SetRoleBody: [{ role: "admin" }],
  UpdateGroupBody: [
    { name: "Team", pictureMediaId: "m_1" },
    { description: "Rules:\n\tbe kind", onlyAdminsSend: true, onlyAdminsEdit: false },
    { disappearingSeconds: 86400 },
  ],
  PresenceQuery: [{ ids: "u_bob,u_carol" }],
  PrivacyBody: [{ presence: "contacts" }, { readReceipts: false }, { profile: "nobody" }],
  DeleteAccountBody: [{ password: "correct horse" }],
  ReportBody: [
    { userId: "u_bob", reason: "spam" },
    { conversationId: "d_1", seqs: [1, 2], reason: "harassment" },
  ],
  OperatorReportsQuery: [{ status: "open", limit: "10" }],
  ResolveReportBody: [{ resolution: "actioned", note: "warned" }],
  ChangePasswordBody: [{ currentPassword: "correct horse", newPassword: "a-brand-new-pass-7" }],
  ChatListStateBody: [{ pinned: true }, { archived: false, unread: true }],
  EndOtherSessionsQuery: [{ others: "true" }],
  PushSubscriptionBody: [
    { endpoint: "https://push.example/abc", keys: { p256dh: `B${"A".repeat(86)}`, auth: "A".repeat(22) } },
  ],
  PushUnsubscribeBody: [{ endpoint: "https://push.example/abc" }],
  MuteBody: [{ until: "always" }, { until: "2030-01-01T00:00:00Z" }],
  NotificationPrefsBody: [{ previews: true }],
  CreateUploadQuery: [{ size: "6000000", filename: "big report.pdf" }, { size: "100" }],
  UploadMediaQuery: [
    { width: "10", height: "20", durationMs: "1000" },
    { filename: "Q3 report.pdf" },
    { durationMs: "3200", waveform: "0,40,255" },
  ],
  ClientFrame: [
    { type: "hello", v: 1, deviceId: "device-1", cursor: 0 },
    { type: "ack", cursor: 1 },
    { type: "send", id: "f1", conversationId: "c_1", clientId: "c-1", text: "hi\n\tthere", mediaId: "m_1" },
    { type: "send", id: "f4", conversationId: "c_1", clientId: "c-2", text: "sure", replyTo: 1 },
    { type: "send", id: "f5", conversationId: "c_1", clientId: "c-3", forwardOf: { conversationId: "c_2", seq: 2 } },
    { type: "read", id: "f2", conversationId: "c_1", upTo: 1 },
    { type: "delete", id: "f3", conversationId: "c_1", seq: 1, for: "me" },
    { type: "typing", conversationId: "c_1", typing: true },
    { type: "ping" },
  ],
};

/** Strings that are only hashed and compared, never stored: refusing them could lock an account out. */
const EXEMPT = new Set(["LoginBody.password", "ChangePasswordBody.currentPassword", "DeleteAccountBody.password"]);

const protocol = { ...protocolIndex, ...mediaProtocol };
const schemas = protocol as unknown as Record<string, z.ZodType>;
/** Named like requests but sent by the server. */
const SERVER_SCHEMAS = new Set(["EventBody"]);

/** Every path to a string in `value`, e.g. ["keys", "auth"]. */
function stringPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === "string") return [path];
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

function withString(value: unknown, path: string[], edit: (s: string) => string): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  at[last] = edit(at[last] as string);
  return copy;
}

function codeOf(schema: z.ZodType, input: unknown): string {
  const parsed = schema.safeParse(input);
  return parsed.success ? "ok" : validationError(parsed.error).code;
}

describe("client input strings", () => {
  it("has a sample for every request schema the protocol exports", () => {
    const requestSchemas = Object.keys(protocol).filter(
      (name) => (/(Body|Query)$/.test(name) && !SERVER_SCHEMAS.has(name)) || name === "ClientFrame",
    );
    expect(requestSchemas.sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it("accepts every sample as it is", () => {
    for (const [name, samples] of Object.entries(SAMPLES)) {
      for (const sample of samples)
        expect(codeOf(schemas[name]!, sample), `${name} ${JSON.stringify(sample)}`).toBe("ok");
    }
  });

  it("refuses U+0000 in every string of every request, as invalid_request", () => {
    let checked = 0;
    for (const [name, samples] of Object.entries(SAMPLES)) {
      for (const sample of samples) {
        for (const path of stringPaths(sample)) {
          if (path[0] === "type" || EXEMPT.has(`${name}.${path.join(".")}`)) continue;
          for (const poison of [(s: string) => `${s}\u0000`, (s: string) => `\u0000${s}`]) {
            const input = withString(sample, path, poison);
            expect(codeOf(schemas[name]!, input), `${name}.${path.join(".")}`).toBe("invalid_request");
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("refuses every C0 and C1 control, DEL and a lone surrogate in names, ids and queries", () => {
    const bad = [
      ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
      ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
      "\ud800",
      "\udc00",
    ];
    for (const ch of bad) {
      const hex = ch.charCodeAt(0).toString(16);
      expect(codeOf(UpdateMeBody, { displayName: `Al${ch}ice` }), hex).toBe("invalid_request");
      expect(codeOf(UserSearchQuery, { q: `a${ch}l` }), hex).toBe("invalid_request");
      expect(codeOf(SendMessageBody, { clientId: `c${ch}1`, text: "hi" }), hex).toBe("invalid_request");
      const inText = ch === "\n" || ch === "\t" ? "ok" : "invalid_request";
      expect(codeOf(SendMessageBody, { clientId: "c1", text: `a${ch}b` }), hex).toBe(inText);
      expect(
        codeOf(ClientFrame, { type: "send", id: "f", conversationId: "c_1", clientId: "c", text: `a${ch}b` }),
      ).toBe(inText);
    }
  });

  it("keeps real text: emoji (surrogate pairs), accents, scripts, line breaks", () => {
    const text = "héllo 👋🏽 世界 مرحبا\nsecond line\tend";
    expect(codeOf(SendMessageBody, { clientId: "c1", text })).toBe("ok");
    expect(codeOf(UpdateMeBody, { displayName: "José 👩‍💻 ناصر", about: "Ça va? 🙂" })).toBe("ok");
  });
});

describe("names people read", () => {
  const invisible = ["\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u3164", "\u2800\u2800", " \u00ad ", "\u115f"];
  it("refuses a display name, group name or about that is only invisible characters", () => {
    for (const value of invisible) {
      expect(codeOf(UpdateMeBody, { displayName: value }), escape(value)).toBe("invalid_request");
      expect(codeOf(UpdateMeBody, { about: value }), escape(value)).toBe("invalid_request");
      expect(codeOf(UpdateGroupBody, { name: value }), escape(value)).toBe("invalid_request");
      expect(codeOf(CreateConversationBody, { type: "group", name: value, memberIds: [] })).toBe("invalid_request");
      expect(codeOf(RegisterBody, { username: "alice", password: "correct horse", displayName: value })).toBe(
        "invalid_request",
      );
    }
  });

  it("refuses bidi overrides and isolates anywhere in a name or about", () => {
    for (let cp = 0x202a; cp <= 0x202e; cp++) expectBidiRefused(String.fromCharCode(cp));
    for (let cp = 0x2066; cp <= 0x2069; cp++) expectBidiRefused(String.fromCharCode(cp));
  });

  it("still takes an empty about (clearing it) and names with a zero-width joiner inside an emoji", () => {
    expect(codeOf(UpdateMeBody, { about: "" })).toBe("ok");
    expect(codeOf(UpdateMeBody, { displayName: "👨‍👩‍👧" })).toBe("ok");
  });
});

function expectBidiRefused(ch: string): void {
  expect(codeOf(UpdateMeBody, { displayName: `alice${ch}cipsxe.exe` })).toBe("invalid_request");
  expect(codeOf(UpdateMeBody, { about: `about ${ch}me` })).toBe("invalid_request");
  expect(codeOf(UpdateGroupBody, { name: `${ch}Team` })).toBe("invalid_request");
}

describe("limits with their own codes", () => {
  it("answers message_too_large for any text over MAX_TEXT_BYTES, however long", () => {
    expect(codeOf(SendMessageBody, { clientId: "c", text: "é".repeat(MAX_TEXT_BYTES / 2) })).toBe("ok");
    expect(codeOf(SendMessageBody, { clientId: "c", text: "x".repeat(MAX_TEXT_BYTES) })).toBe("ok");
    expect(codeOf(SendMessageBody, { clientId: "c", text: "x".repeat(MAX_TEXT_BYTES + 1) })).toBe("message_too_large");
    expect(codeOf(SendMessageBody, { clientId: "c", text: "é".repeat(MAX_TEXT_BYTES / 2 + 1) })).toBe(
      "message_too_large",
    );
    expect(codeOf(SendMessageBody, { clientId: "c", text: "x".repeat(5_000) })).toBe("message_too_large");
    expect(codeOf(SendMessageBody, { clientId: "c", text: "x".repeat(60_000) })).toBe("message_too_large");
  });

  it("lets a send frame carry any text the frame limit allows (the conversation measures bytes)", () => {
    const frame = { type: "send", id: "f", conversationId: "c_1", clientId: "c", text: "x".repeat(5_000) };
    expect(codeOf(ClientFrame, frame)).toBe("ok");
  });

  it("answers group_full for more distinct member ids than a group holds", () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `u_${i}`);
    expect(codeOf(CreateConversationBody, { type: "group", name: "G", memberIds: ids(MAX_GROUP_MEMBERS) })).toBe("ok");
    expect(codeOf(CreateConversationBody, { type: "group", name: "G", memberIds: ids(MAX_GROUP_MEMBERS + 1) })).toBe(
      "group_full",
    );
    expect(codeOf(AddMembersBody, { userIds: ids(MAX_GROUP_MEMBERS + 1) })).toBe("group_full");
    expect(codeOf(AddMembersBody, { userIds: ids(1000) })).toBe("group_full");
    // Repeats are one person each.
    expect(codeOf(AddMembersBody, { userIds: [...ids(150), ...ids(150)] })).toBe("ok");
    // A malformed id is still a malformed request.
    expect(codeOf(AddMembersBody, { userIds: ["not an id"] })).toBe("invalid_request");
  });

  it("documents retryAfter on the WebSocket error frame", () => {
    const frame = { type: "error", id: "f", code: "rate_limited", message: "slow down", retryAfter: 3 };
    expect(ServerFrame.safeParse(frame).success).toBe(true);
    expect(ServerFrame.safeParse({ ...frame, retryAfter: -1 }).success).toBe(false);
  });
});

describe("weak passwords", () => {
  const register = (password: string) => codeOf(RegisterBody, { username: "alice", password, displayName: "Alice" });

  it("refuses the most common passwords, ignoring case, with weak_password", () => {
    for (const p of ["password", "PASSWORD", "Password1", "12345678", "123456789", "qwertyui", "iloveyou", "1q2w3e4r"])
      expect(register(p), p).toBe("weak_password");
    expect(COMMON_PASSWORD_COUNT).toBeGreaterThanOrEqual(300);
  });

  it("refuses one character repeated, spaces included", () => {
    for (const p of ["aaaaaaaa", "        ", "00000000000", "ééééééééé", "😀😀😀😀😀😀😀😀"])
      expect(register(p), p).toBe("weak_password");
  });

  it("says why in the message, and accepts an ordinary passphrase", () => {
    const parsed = RegisterBody.safeParse({ username: "alice", password: "password", displayName: "Alice" });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(validationError(parsed.error).message).toMatch(/^password: .*common/);
    expect(register("correct horse")).toBe("ok");
    expect(register("aaaaaaab")).toBe("ok");
  });

  it("keeps the length rules as invalid_request", () => {
    expect(register("short")).toBe("invalid_request");
    expect(register("aaaa")).toBe("invalid_request");
    expect(register("x".repeat(129))).toBe("invalid_request");
  });
});

function escape(s: string): string {
  return [...s].map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, "0")}`).join(" ");
}
