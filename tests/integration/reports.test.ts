/**
 * Reports against the running stack (README "Reports"): alice reports bob's messages with a reason;
 * the report keeps them as she saw them, even after bob deletes them for everyone; reporting a chat
 * keeps its latest messages; mallory, not a member, cannot report (or read) the chat; the operator
 * lists and resolves reports with OPERATOR_SECRET, and nobody else can reach the queue.
 */
import { describe, expect, inject, it } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import type { Report } from "../../client/sdk/protocol/index.ts";
import { person } from "./people.ts";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

async function operator(method: string, path: string, body?: unknown, secret = inject("operatorSecret")) {
  const res = await fetch(`${inject("baseUrl")}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as { reports?: Report[]; report?: Report } };
}

describe("reports", () => {
  it("keeps bob's reported messages as alice saw them, for the operator, who resolves the report", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await bob.client.api.openDirect(alice.id);
    const first = await bob.client.api.sendMessage(chat.id, { clientId: "m1", text: "buy my stuff" });
    const second = await bob.client.api.sendMessage(chat.id, { clientId: "m2", text: "now!!" });
    await bob.client.api.sendMessage(chat.id, { clientId: "m3", text: "not reported" });

    const { id } = await alice.client.api.report({
      userId: bob.id,
      conversationId: chat.id,
      seqs: [first.seq, second.seq],
      reason: "spam",
    });
    // Deleting them afterwards does not change what was reported.
    await bob.client.api.deleteMessage(chat.id, first.seq, "everyone");

    const open = await operator("GET", "/v1/operator/reports?status=open&limit=100");
    expect(open.status).toBe(200);
    const report = open.json.reports?.find((r) => r.id === id);
    expect(report).toMatchObject({
      reporterId: alice.id,
      userId: bob.id,
      conversationId: chat.id,
      reason: "spam",
      resolvedAt: null,
    });
    expect(report?.messages.map((m) => m.text)).toEqual(["buy my stuff", "now!!"]);

    const resolved = await operator("POST", `/v1/operator/reports/${id}/resolve`, {
      resolution: "actioned",
      note: "warned",
    });
    expect(resolved.json.report).toMatchObject({ id, resolution: "actioned", note: "warned" });
    // A retry keeps the first decision.
    const again = await operator("POST", `/v1/operator/reports/${id}/resolve`, { resolution: "dismissed" });
    expect(again.json.report).toMatchObject({ resolution: "actioned" });
    const stillOpen = await operator("GET", "/v1/operator/reports?status=open&limit=100");
    expect(stillOpen.json.reports?.some((r) => r.id === id)).toBe(false);
    const done = await operator("GET", "/v1/operator/reports?status=resolved&limit=100");
    expect(done.json.reports?.some((r) => r.id === id)).toBe(true);
  });

  it("keeps a reported chat's latest messages; refuses a non-member, bad bodies and reporting oneself", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const mallory = await person("mallory");
    const chat = await bob.client.api.openDirect(alice.id);
    for (let i = 1; i <= 7; i++) await bob.client.api.sendMessage(chat.id, { clientId: `c${i}`, text: `msg ${i}` });

    const { id } = await alice.client.api.report({ conversationId: chat.id, reason: "harassment" });
    const listed = (await operator("GET", "/v1/operator/reports?limit=100")).json.reports?.find((r) => r.id === id);
    expect(listed?.messages.map((m) => m.text)).toEqual(["msg 3", "msg 4", "msg 5", "msg 6", "msg 7"]);

    expect(await codeOf(mallory.client.api.report({ conversationId: chat.id, seqs: [1], reason: "x" }))).toMatch(
      /^(404 not_found|403 forbidden)$/,
    );
    expect(await codeOf(alice.client.api.report({ userId: alice.id, reason: "me" }))).toBe("400 invalid_request");
    expect(await codeOf(alice.client.api.report({ reason: "nobody named" }))).toBe("400 invalid_request");
    expect(await codeOf(alice.client.api.report({ userId: bob.id, seqs: [1], reason: "no chat" }))).toBe(
      "400 invalid_request",
    );
    expect(await codeOf(alice.client.api.report({ userId: bob.id, reason: "" }))).toBe("400 invalid_request");
    expect(await codeOf(alice.client.api.report({ userId: "u_nobody_at_all", reason: "ghost" }))).toBe("404 not_found");
    expect(await codeOf(alice.client.api.report({ userId: bob.id, reason: "just bob" }))).toBe("ok");
  });

  it("hides the operator queue from everyone without the secret", async () => {
    const alice = await person("alice");
    for (const secret of ["", "wrong", alice.client.api.token ?? ""]) {
      expect((await operator("GET", "/v1/operator/reports", undefined, secret)).status).toBe(404);
      expect(
        (await operator("POST", "/v1/operator/reports/r_x/resolve", { resolution: "dismissed" }, secret)).status,
      ).toBe(404);
    }
  });
});
