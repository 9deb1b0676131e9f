/**
 * Test personas against the running stack: each is a registered user with an SDK client, the way a
 * real app would hold one. Names carry a per-run suffix so files can share the stack.
 */
import { inject } from "vitest";
import { MessengerClient } from "../../client/sdk/index.ts";
import type { Event, Message } from "../../client/sdk/protocol/index.ts";

const RUN = Math.random().toString(36).slice(2, 7);
let counter = 0;

export interface Person {
  id: string;
  username: string;
  client: MessengerClient;
  /** Every event this person's connections received, in arrival order. */
  events: Event[];
  /** Connects (or reconnects) a device and records its events. */
  connect(deviceId?: string): Promise<void>;
}

export async function person(name: string): Promise<Person> {
  const client = new MessengerClient({ baseUrl: inject("baseUrl"), minBackoffMs: 50, maxBackoffMs: 1_000 });
  const username = `${name}_${++counter}_${RUN}`.slice(0, 32);
  const { user } = await client.api.register({ username, password: `${name}-password-1`, displayName: name });
  const events: Event[] = [];
  client.on("event", (e) => events.push(e));
  return {
    id: user.id,
    username,
    client,
    events,
    async connect() {
      await client.connect();
    },
  };
}

/** Messages (not deletions or statuses) a person received for one conversation, in order. */
export function receivedMessages(p: Person, conversationId: string): Message[] {
  return p.events.flatMap((e) =>
    e.kind === "message" && e.message.conversationId === conversationId ? [e.message] : [],
  );
}

/** Polls `check` until it holds (or throws with the last failure after `timeoutMs`). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

/** The whole history of a conversation through REST paging, oldest first. */
export async function fullHistory(p: Person, conversationId: string): Promise<Message[]> {
  const all: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await p.client.api.history(conversationId, { before, limit: 100 });
    if (page.length === 0) break;
    all.unshift(...page);
    before = page[0]!.seq;
    if (before <= 1) break;
  }
  return all;
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
