/**
 * Disappearing messages in Chromium, as two people see them: alice turns the timer on in the chat's
 * info, both see the system message, and the message she then sends (marked with a timer) leaves
 * both screens when its time comes (15 s on the test stack: DISAPPEARING_TEST_SECONDS), while a
 * message sent before the timer stays.
 */
import { describe, it } from "vitest";
import { bubble, messages, openChat, sendText, startChatWith, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, disappearing messages", () => {
  it(
    "turns the timer on from the chat's info, and the message then sent disappears for both",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "This one stays");
      await visible(bubble(alice.page, "This one stays"));

      await alice.page.getByRole("button", { name: /Bob: contact info/ }).click();
      await alice.page.getByRole("combobox", { name: "Disappearing messages" }).selectOption({ label: "24 hours" });
      await visible(messages(alice.page).getByText("You turned on disappearing messages: 24 hours"));

      await sendText(alice.page, "This one vanishes");
      const mine = bubble(alice.page, "This one vanishes");
      await visible(mine.getByRole("img", { name: "Disappearing message" }));
      await openChat(bob.page, "Alice");
      await visible(messages(bob.page).getByText("Alice turned on disappearing messages: 24 hours"));
      const theirs = bubble(bob.page, "This one vanishes");
      await visible(theirs);

      // Its time comes: gone from both screens; the earlier message and the system message stay.
      await until("the message leaves alice's screen", () => mine.count(), 0, 60_000);
      await until("the message leaves bob's screen", () => theirs.count(), 0, 60_000);
      await visible(bubble(bob.page, "This one stays"));
      await visible(bubble(alice.page, "This one stays"));
    },
    TEST_MS,
  );
});
