/**
 * In Chromium: alice, the admin, writes a group description and turns on "only admins can send".
 * Bob sees both changes in the chat as they happen, his composer gives way to a note, and only
 * alice's messages go on; turning it off gives him his composer back.
 */
import { describe, expect, it } from "vitest";
import { bubble, openChat, sendText, startGroupWith, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, group settings", () => {
  it(
    "shows bob the description and the only-admins-send setting live, and takes his composer away meanwhile",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startGroupWith(alice, [bob], "Announcements");
      await sendText(alice.page, "Welcome");
      await openChat(bob.page, "Announcements");
      await visible(bubble(bob.page, "Welcome"));

      await alice.page.getByRole("button", { name: /Announcements: group info/ }).click();
      const info = alice.page.getByRole("region", { name: "Group info" });
      await info.getByRole("button", { name: "Edit description" }).click();
      await info.getByRole("textbox", { name: "Group description" }).fill("News only.\nQuestions elsewhere.");
      await info.getByRole("button", { name: "Save" }).click();
      await visible(info.getByText("Questions elsewhere."));
      await info.getByRole("checkbox", { name: "Only admins can send messages" }).check();

      await visible(bob.page.getByText("Alice changed the group description"));
      await visible(bob.page.getByText(/Alice changed the group settings: only admins can send messages/));
      await visible(bob.page.getByText("Only admins can send messages to this group."));
      expect(await bob.page.getByRole("textbox", { name: "Type a message" }).count()).toBe(0);
      await sendText(alice.page, "Meeting at 5");
      await visible(bubble(bob.page, "Meeting at 5"));

      await info.getByRole("checkbox", { name: "Only admins can send messages" }).uncheck();
      await visible(bob.page.getByText(/all members can send messages/));
      await sendText(bob.page, "Thanks!");
      await visible(bubble(alice.page, "Thanks!"));
    },
    TEST_MS,
  );

  it(
    "keeps a switched setting as alice left it while it saves, though a message arrives meanwhile",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startGroupWith(alice, [bob], "Slow lane");
      await sendText(alice.page, "Hello");
      await openChat(bob.page, "Slow lane");
      await visible(bubble(bob.page, "Hello"));
      await alice.page.getByRole("button", { name: /Slow lane: group info/ }).click();
      const info = alice.page.getByRole("region", { name: "Group info" });

      // The save waits until bob's message has re-rendered alice's screen.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await alice.page.route("**/v1/conversations/*", async (route) => {
        if (route.request().method() === "PATCH") await held;
        await route.continue();
      });
      const setting = info.getByRole("checkbox", { name: "Only admins can send messages" });
      await setting.check();
      await sendText(bob.page, "Meanwhile");
      await visible(bubble(alice.page, "Meanwhile"));
      expect(await setting.isChecked()).toBe(true);
      release();
      await visible(bob.page.getByText("Only admins can send messages to this group."));
      expect(await setting.isChecked()).toBe(true);
      await alice.page.unroute("**/v1/conversations/*");
    },
    TEST_MS,
  );
});
