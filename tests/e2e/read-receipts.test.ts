/**
 * In Chromium: bob turns read receipts off in his settings. Alice's message to him shows Delivered
 * once he has it and stays Delivered after he read it; his setting is still off after a reload.
 */
import { describe, expect, it } from "vitest";
import { bubble, openChat, sendText, startChatWith, tick, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, read receipts off", () => {
  it(
    "shows alice Delivered, never Read, once bob turned read receipts off",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await bob.page.getByRole("button", { name: "Profile and settings" }).click();
      const setting = bob.page.getByRole("checkbox", { name: "Read receipts" });
      await visible(setting);
      expect(await setting.isChecked()).toBe(true);
      await setting.uncheck();
      await until("the saved setting", () => setting.isChecked(), false);
      await bob.page.getByRole("button", { name: "Back" }).click();

      await startChatWith(alice, bob);
      await sendText(alice.page, "Did you read this?");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Did you read this?"));
      const mark = () => tick(bubble(alice.page, "Did you read this?")).getAttribute("aria-label");
      await until("alice's tick", mark, "Delivered");
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await mark()).toBe("Delivered");

      // Bob's choice is kept on the server: still off after a reload.
      await bob.page.reload();
      await bob.page.getByRole("button", { name: "Profile and settings" }).click();
      await visible(bob.page.getByRole("checkbox", { name: "Read receipts" }));
      expect(await bob.page.getByRole("checkbox", { name: "Read receipts" }).isChecked()).toBe(false);
    },
    TEST_MS,
  );
});
