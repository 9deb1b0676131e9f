/**
 * The SDK builds every REST URL from the protocol's ROUTES table (README "REST API"); the Worker
 * registers the same table (tests/workers/routes.test.ts). Here: `pathTo`, every SDK call lands on a
 * listed route with its method, and no SDK file spells a `/v1` path by hand.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../../client/sdk/api.ts";
import { muteConversation, setNotificationPreviews } from "../../client/sdk/push.ts";
import { ROUTES, pathTo } from "../../client/sdk/protocol/index.ts";

const SDK = resolve(import.meta.dirname, "../../client/sdk");

/** `METHOD template` of the route a request matches, or null. */
function routeOf(method: string, url: string): string | null {
  const path = new URL(url).pathname;
  for (const route of Object.values(ROUTES)) {
    const pattern = new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`);
    if (route.method === method && pattern.test(path)) return `${route.method} ${route.path}`;
  }
  return null;
}

describe("pathTo", () => {
  it("fills each :param with its encoded value", () => {
    expect(pathTo(ROUTES.deleteMember.path, { id: "g_1", userId: "u/2" })).toBe("/v1/conversations/g_1/members/u%2F2");
    expect(pathTo(ROUTES.messageStatus.path, { id: "d_x", seq: 7 })).toBe("/v1/conversations/d_x/messages/7/status");
    expect(pathTo(ROUTES.me.path)).toBe("/v1/me");
  });
});

describe("SDK paths", () => {
  it("sends every call to a route of the table, with the table's method", async () => {
    const calls: { method: string; url: string }[] = [];
    const api = new Api({
      baseUrl: "https://messenger.test",
      token: "t",
      fetch: async (input, init) => {
        calls.push({ method: init?.method ?? "GET", url: String(input) });
        return new Response("{}", { status: 500 });
      },
    });
    const attempts: Promise<unknown>[] = [
      api.register({ username: "alice", password: "password1", displayName: "Alice" }),
      api.login({ username: "alice", password: "password1" }),
      api.logout(),
      api.me(),
      api.updateMe({ about: "hi" }),
      api.user("u_bob"),
      api.searchUsers("bo"),
      api.openDirect("u_bob"),
      api.createGroup("Team", ["u_bob"]),
      api.conversations(),
      api.conversation("g_1"),
      api.history("g_1", { before: 10, limit: 5 }),
      api.sendMessage("g_1", { clientId: "c1", text: "hi" }),
      api.deleteMessage("g_1", 3, "me"),
      api.markRead("g_1", 3),
      api.messageStatus("g_1", 3),
      api.addMembers("g_1", ["u_carol"]),
      api.deleteMember("g_1", "u_carol"),
      api.setRole("g_1", "u_carol", "admin"),
      api.updateGroup("g_1", { name: "Team 2" }),
      api.privacy(),
      api.setPrivacy("contacts"),
      api.blocked(),
      api.block("u_bob"),
      api.unblock("u_bob"),
      api.setListState("g_1", { pinned: true }),
      api.clearChat("g_1"),
      api.sessions(),
      api.endSession("s_1"),
      api.endOtherSessions(),
      api.changePassword("old-password-1", "new-password-1"),
      api.deleteAccount("old-password-1"),
      api.startExport(),
      api.dataExport("x_1"),
      api.createInvite("g_1"),
      api.revokeInvite("g_1"),
      api.invitePreview("0123456789abcdef0123456789abcdefg_1"),
      api.joinInvite("0123456789abcdef0123456789abcdefg_1"),
      api.presence(["u_bob"]),
      api.config(),
      api.wsTicket(),
      api.uploadMedia(new Uint8Array([1]), "image/png"),
      muteConversation(api, "g_1", "8h"),
      setNotificationPreviews(api, false),
    ];
    await Promise.allSettled(attempts);
    expect(calls).toHaveLength(attempts.length);
    const unmatched = calls.filter((c) => routeOf(c.method, c.url) === null);
    expect(unmatched).toEqual([]);
    expect(routeOf("GET", api.wsUrl().replace(/^ws/, "http"))).toBe("GET /v1/ws");
  });

  it("spells no /v1 path by hand outside the route table", () => {
    const files = readdirSync(SDK, { recursive: true, encoding: "utf8" }).filter(
      (f) => f.endsWith(".ts") && f !== join("protocol", "routes.ts"),
    );
    const offenders = files.flatMap((file) =>
      readFileSync(join(SDK, file), "utf8")
        .split("\n")
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line) && /["'`]\/v1\b/.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
