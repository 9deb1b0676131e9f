/**
 * The user's append-only event log: what each device replays from its cursor, then receives live.
 *
 * Conversations deliver their events already serialized (./store.ts keeps the JSON as given), so an
 * event is turned into text once by its conversation, and the `events` frame for every socket is
 * built once per batch by splicing those texts (`eventsFrame`) — no per-socket or per-hub
 * `JSON.stringify`. A device's ack moves its cursor and turns the messages from others it now holds
 * into delivered receipts owed to their conversations; which cursors carry such messages is kept in
 * memory from delivery, so an ack reads nothing back unless the hub woke up since.
 */
import type { Event, EventBody } from "../../client/sdk/protocol/index.ts";
import { MAX_REPLAY_EVENTS } from "../../client/sdk/protocol/index.ts";
import { iso } from "../../lib/time.ts";
import type { HubStore } from "./store.ts";

/** One event of a conversation as delivered to a hub: its number there and its body as JSON. */
export interface DeliveredEvent {
  ev: number;
  json: string;
}

/** An event now in this log. */
export interface LoggedEvent {
  cursor: number;
  at: number;
  json: string;
  body: EventBody;
}

/** An event about to be logged: its number in its conversation and the cursor it will get. */
export interface PlannedEvent extends LoggedEvent {
  ev: number;
}

/** The `events` frame for `events`, built from their stored JSON. */
export function eventsFrame(events: ReadonlyArray<{ cursor: number; at: number; json: string }>): string {
  let text = '{"type":"events","events":[';
  events.forEach((e, i) => {
    // Each body is a JSON object `{"kind":…}`; the event is the same object with cursor and at first.
    text += `${i === 0 ? "" : ","}{"cursor":${e.cursor},"at":"${iso(e.at)}",${e.json.slice(1)}`;
  });
  return `${text}]}`;
}

/** The wire event (`Event`) for a logged one, for code that wants the object. */
export function asEvent(e: LoggedEvent): Event {
  return { cursor: e.cursor, at: iso(e.at), ...e.body };
}

export class EventLog {
  /** Cursor → the conversation and seq of a message from someone else, for cursors not yet acked by all. */
  private readonly fromOthers = new Map<number, { conversationId: string; seq: number }>();
  /** Cursors at or above this were delivered since the hub woke, so `fromOthers` knows them. */
  private knownFrom = Number.POSITIVE_INFINITY;

  constructor(
    private readonly store: HubStore,
    private readonly userId: () => string,
  ) {}

  /** After the store (re)loaded: what was delivered before is read from the log when acked. */
  wake(): void {
    this.fromOthers.clear();
    this.knownFrom = this.store.headCursor + 1;
  }

  /**
   * Appends a conversation's events, each once (`plan`, then `append`). Call inside a transaction;
   * returns the events that are new, in order.
   */
  appendConversation(conversationId: string, events: readonly DeliveredEvent[], now: number): readonly LoggedEvent[] {
    return this.append(conversationId, this.plan(conversationId, events, now));
  }

  /**
   * The events of a delivery that are new here, with the cursors they will get, without writing: a
   * conversation sends its events in ascending order, so one that is not newer than the newest
   * logged is a repeat (kept per conversation, beyond trimming). Frames built from a plan may leave
   * before `append` stores it when the store's cursor lease covers it (UserHubDO.deliver).
   */
  plan(conversationId: string, events: readonly DeliveredEvent[], now: number): PlannedEvent[] {
    const planned: PlannedEvent[] = [];
    let newest = this.store.inboxEv(conversationId);
    let cursor = this.store.headCursor;
    for (const { ev, json } of events) {
      if (ev <= newest) continue; // a repeat (events come in ascending order)
      newest = ev;
      planned.push({ ev, cursor: ++cursor, at: now, json, body: JSON.parse(json) as EventBody });
    }
    return planned;
  }

  /** Stores a plan made in this turn; returns its events, now logged. Call inside a transaction. */
  append(conversationId: string, planned: readonly PlannedEvent[]): readonly LoggedEvent[] {
    for (const { cursor, at, json, body } of planned) {
      this.store.appendLog(conversationId, at, json, cursor);
      if (body.kind === "message" && body.message.senderId !== this.userId()) {
        this.fromOthers.set(cursor, { conversationId, seq: body.message.seq });
      }
    }
    const last = planned[planned.length - 1];
    if (last) this.store.setInboxEv(conversationId, last.ev);
    return planned;
  }

  /**
   * Appends an event this hub makes itself (a profile change, the user's own read marker) under its
   * own key; `conversationId` when it is about one.
   */
  appendOwn(key: string, body: EventBody, now: number, conversationId = ""): LoggedEvent | null {
    const json = JSON.stringify(body);
    const cursor = this.store.appendOwnLog(key, conversationId, now, json);
    return cursor === null ? null : { cursor, at: now, json, body };
  }

  /**
   * Replays everything after `cursor` in pages through `send`, synchronously (no live event can
   * interleave). A cursor behind the retained log, or ahead of it (another server's history), is a
   * reset: the device must start over. Returns whether it was one.
   */
  replay(cursor: number, send: (frame: string) => void): { head: number; reset: boolean } {
    const head = this.store.headCursor;
    const oldest = this.store.oldestCursor;
    const reset = cursor > head || (cursor < oldest - 1 && cursor < head);
    if (!reset) {
      let after = cursor;
      for (;;) {
        const page = this.store.logPage(after, MAX_REPLAY_EVENTS);
        if (page.length === 0) break;
        send(eventsFrame(page.map((r) => ({ cursor: r.cursor, at: r.at, json: r.body }))));
        after = (page[page.length - 1] as { cursor: number }).cursor;
      }
    }
    return { head, reset };
  }

  /**
   * A device stored everything up to `requested`: moves its cursor and owes the conversations their
   * delivered receipts, in memory; the store keeps both with its next write (`persistLazy`), which
   * also trims what every device has. Returns the new cursor, or null when the ack adds nothing.
   */
  ack(deviceId: string, requested: number, now: number): number | null {
    const cursor = Math.min(requested, this.store.headCursor);
    const previous = this.store.acked(deviceId);
    if (cursor <= previous) return null;
    this.store.setAcked(deviceId, cursor, now);
    const upTo = new Map<string, number>();
    const owe = (conversationId: string, seq: number) =>
      upTo.set(conversationId, Math.max(upTo.get(conversationId) ?? 0, seq));
    if (previous + 1 < this.knownFrom) {
      // Delivered before this hub woke: read those from the log.
      for (const row of this.store.logRange(previous, Math.min(cursor, this.knownFrom - 1))) {
        const body = JSON.parse(row.body) as EventBody;
        if (body.kind === "message" && body.message.senderId !== this.userId())
          owe(row.conversation_id, body.message.seq);
      }
    }
    for (let c = Math.max(previous + 1, this.knownFrom); c <= cursor; c++) {
      const m = this.fromOthers.get(c);
      if (m) owe(m.conversationId, m.seq);
    }
    for (const [conversationId, seq] of upTo) this.store.oweReceipt(conversationId, seq);
    for (const c of this.fromOthers.keys()) {
      if (c >= this.store.oldestCursor) break; // Map keeps insertion (= cursor) order
      this.fromOthers.delete(c);
    }
    return cursor;
  }
}
