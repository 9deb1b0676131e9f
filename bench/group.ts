/**
 * A 200-member group: time from send until the last member's device has the message, and the cost
 * of receipts — how many frames reach the sender's device per message while all 199 others
 * acknowledge (delivered) and read it.
 */
import { MessengerClient } from "../client/sdk/index.ts";
import { percentile } from "./lib.ts";

export interface GroupFigures {
  members: number;
  p50: number;
  p99: number;
  receiptFramesPerMessage: number;
}

export async function benchGroup(
  sender: MessengerClient,
  members: MessengerClient[],
  memberIds: string[],
  opts: { messages: number },
): Promise<GroupFigures> {
  const group = await sender.api.createGroup("bench group", memberIds);
  const seen = new Map<number, number>(); // seq -> members that have it
  const lastArrival = new Map<number, number>();
  const readers: Promise<void>[] = [];
  for (const member of members) {
    member.on("event", (e) => {
      if (e.kind !== "message" || e.message.conversationId !== group.id || e.message.system) return;
      const seq = e.message.seq;
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
      lastArrival.set(seq, performance.now());
      // Each member reads what it receives, as an open chat would.
      readers.push(member.connection!.read(group.id, seq).catch(() => undefined));
    });
  }
  let statusFrames = 0;
  sender.on("event", (e) => {
    if (e.kind === "status" && e.conversationId === group.id) statusFrames++;
  });
  await sender.connect();
  await Promise.all(members.map((m) => m.connect()));
  const samples: number[] = [];
  for (let i = 0; i < opts.messages; i++) {
    const t0 = performance.now();
    const message = await sender.connection!.send(group.id, { text: `fan-out ${i}` });
    while ((seen.get(message.seq) ?? 0) < members.length) await new Promise((r) => setTimeout(r, 2));
    samples.push((lastArrival.get(message.seq) ?? t0) - t0);
  }
  await Promise.all(readers);
  await new Promise((r) => setTimeout(r, 1_500)); // let the last receipts settle
  sender.close();
  for (const m of members) m.close();
  return {
    members: members.length + 1,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    receiptFramesPerMessage: statusFrames / opts.messages,
  };
}
