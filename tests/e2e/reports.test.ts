/**
 * In Chromium: alice reports bob from his contact info, with blocking offered and ticked. She sees
 * the chat blocked at once, and the operator's queue holds her report with bob's message as she saw it.
 */
import { describe, expect, inject, it } from "vitest";
import type { Report } from "../../client/sdk/protocol/index.ts";
import { bubble, openChat, sendText, startChatWith, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

async function openReports(): Promise<Report[]> {
  const res = await fetch(`${inject("baseUrl")}/v1/operator/reports?status=open&limit=100`, {
    headers: { authorization: `Bearer ${inject("operatorSecret")}` },
  });
  return ((await res.json()) as { reports: Report[] }).reports;
}

describe("web client, reporting", () => {
  it(
    "reports bob with his latest messages and blocks him in the same step",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(bob, alice);
      await sendText(bob.page, "Click this totally safe link");
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "Click this totally safe link"));

      await alice.page.getByRole("button", { name: /Bob: contact info/ }).click();
      const info = alice.page.getByRole("region", { name: "Contact info" });
      await info.getByRole("button", { name: "Report Bob" }).click();
      await info.getByLabel("Reason").selectOption("Spam");
      expect(await info.getByRole("checkbox", { name: "Also block Bob" }).isChecked()).toBe(true);
      await info.getByRole("button", { name: "Report", exact: true }).click();

      await visible(info.getByRole("status").filter({ hasText: "Reported and blocked Bob." }));
      await visible(info.getByRole("button", { name: "Unblock Bob" }));
      await visible(alice.page.getByText("You blocked this contact."));

      const report = (await openReports()).find((r) =>
        r.messages.some((m) => m.text === "Click this totally safe link"),
      );
      expect(report).toMatchObject({ reason: "Spam", userId: expect.any(String), conversationId: expect.any(String) });
    },
    TEST_MS,
  );
});
