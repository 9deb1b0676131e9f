/**
 * In Chromium: alice makes her group's invite link; carol opens it in her browser, sees the group
 * and joins, and the group opens for her; alice resets the link and the old one no longer works.
 */
import { describe, it } from "vitest";
import { bubble, conversationTitle, hasText, sendText, startGroupWith, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, invite links", () => {
  it(
    "lets carol join alice's group from the link, and not with the old link once alice resets it",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");
      const dave = await person("Dave");
      await startGroupWith(alice, [bob], "Hikers");
      await alice.page.getByRole("button", { name: /Hikers: group info/ }).click();
      const info = alice.page.getByRole("region", { name: "Group info" });
      await info.getByRole("button", { name: "Create invite link" }).click();
      const link = info.getByRole("textbox", { name: "Invite link" });
      await visible(link);
      const url = await link.inputValue();

      await carol.page.goto(url);
      const dialog = carol.page.getByRole("dialog", { name: "Group invite" });
      await visible(dialog.getByText("Hikers"));
      await visible(dialog.getByText("Group · 2 members"));
      await dialog.getByRole("button", { name: "Join group" }).click();
      await hasText(conversationTitle(carol.page), "Hikers");
      await visible(carol.page.getByText("You joined using the group's invite link"));
      await visible(alice.page.getByText("Carol joined using the group's invite link"));
      await sendText(carol.page, "Hi all");
      await visible(bubble(alice.page, "Hi all"));

      await info.getByRole("button", { name: "Reset link" }).click();
      await until("a new link", async () => (await link.inputValue()) !== url, true);
      await dave.page.goto(url);
      await visible(dave.page.getByText("This invite link doesn't work any more."));
    },
    TEST_MS,
  );
});
