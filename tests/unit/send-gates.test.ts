/**
 * A hub must issue a device's sends to one conversation in the order they arrived, even when a media
 * send first waits for Postgres: a text sent right behind a picture must not overtake it, while plain
 * text sends (no gate open) stay synchronous.
 */
import { describe, expect, it } from "vitest";
import { SendGates } from "../../durable-objects/user-hub/send-gates.ts";

/** Simulates the hub's send branch: optional I/O of `ioMs`, then "issue" by recording the label. */
function send(gates: SendGates, issued: string[], conversation: string, label: string, ioMs: number | null) {
  const gate = gates.enter(conversation, ioMs !== null);
  if (!gate.prior && ioMs === null) {
    issued.push(label);
    gate.issued();
    return Promise.resolve();
  }
  return (async () => {
    if (gate.prior) await gate.prior;
    if (ioMs !== null) await new Promise((r) => setTimeout(r, ioMs));
    issued.push(label);
    gate.issued();
  })();
}

describe("send gates", () => {
  it("keeps a text sent behind a slow media send behind it", async () => {
    const gates = new SendGates();
    const issued: string[] = [];
    await Promise.all([
      send(gates, issued, "c1", "picture", 30),
      send(gates, issued, "c1", "text-1", null),
      send(gates, issued, "c1", "video", 5),
      send(gates, issued, "c1", "text-2", null),
    ]);
    expect(issued).toEqual(["picture", "text-1", "video", "text-2"]);
  });

  it("issues plain text at once when no media send is waiting, and does not hold other conversations", async () => {
    const gates = new SendGates();
    const issued: string[] = [];
    void send(gates, issued, "c1", "a", null);
    expect(issued).toEqual(["a"]);
    const slow = send(gates, issued, "c1", "picture", 30);
    void send(gates, issued, "c2", "other-chat", null);
    expect(issued).toEqual(["a", "other-chat"]);
    await slow;
    await send(gates, issued, "c1", "after", null);
    expect(issued).toEqual(["a", "other-chat", "picture", "after"]);
  });
});
