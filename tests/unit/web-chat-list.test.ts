/**
 * The chat list's layout from each chat's list state (client/sdk/chat-list-order.ts) and search
 * across chats on this device (client/web/src/lib/message-search.ts).
 */
import { describe, expect, it } from "vitest";
import { archivedList, mainList, shownInList, withNewMessage } from "../../client/sdk/chat-list-order.ts";
import {
  DEFAULT_CHAT_LIST_STATE,
  type ChatListState,
  type ConversationSummary,
  type Message,
} from "../../client/sdk/protocol/index.ts";
import { searchAcrossChats } from "../../client/web/src/lib/message-search.ts";

function message(conversationId: string, seq: number, text: string, minute = seq): Message {
  return {
    conversationId,
    seq,
    clientId: `${conversationId}-${seq}`,
    senderId: "bob",
    text,
    media: null,
    system: null,
    sentAt: new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString(),
    deleted: false,
  };
}

function chat(id: string, minute: number, state: Partial<ChatListState> = {}, lastSeq = 1): ConversationSummary {
  return {
    id,
    type: "direct",
    name: null,
    peerId: `peer-${id}`,
    lastMessage: message(id, lastSeq, "hi", minute),
    unreadCount: 0,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString(),
    active: true,
    listState: { ...DEFAULT_CHAT_LIST_STATE, ...state },
  };
}

const ids = (list: ConversationSummary[]) => list.map((c) => c.id);

describe("chat list order", () => {
  it("puts pinned chats on top, newest pin first, then the rest by last activity", () => {
    const chats = [
      chat("a", 1, { pinnedAt: "2026-01-01T10:00:00.000Z" }),
      chat("b", 5),
      chat("c", 3, { pinnedAt: "2026-01-01T11:00:00.000Z" }),
      chat("d", 9),
    ];
    expect(ids(mainList(chats))).toEqual(["c", "a", "d", "b"]);
  });

  it("moves archived chats to their own list and hides chats deleted for me until a newer message", () => {
    const chats = [chat("a", 1, { archived: true }), chat("b", 2, { clearedUpTo: 1 }), chat("c", 3)];
    expect(ids(mainList(chats))).toEqual(["c"]);
    expect(ids(archivedList(chats))).toEqual(["a"]);
    expect(shownInList(chat("b", 2, { clearedUpTo: 1 }, 2))).toBe(true);
    expect(shownInList(chat("b", 2, { clearedUpTo: 1 }, 1))).toBe(false);
  });

  it("brings an archived chat back with a new message unless it is muted", () => {
    const now = Date.UTC(2026, 0, 1, 12);
    expect(withNewMessage(chat("a", 1, { archived: true }), now).listState?.archived).toBe(false);
    expect(withNewMessage(chat("a", 1, { archived: true, mutedUntil: "always" }), now).listState?.archived).toBe(true);
    const later = new Date(now + 60_000).toISOString();
    const earlier = new Date(now - 60_000).toISOString();
    expect(withNewMessage(chat("a", 1, { archived: true, mutedUntil: later }), now).listState?.archived).toBe(true);
    expect(withNewMessage(chat("a", 1, { archived: true, mutedUntil: earlier }), now).listState?.archived).toBe(false);
  });
});

describe("search across chats", () => {
  it("finds a word in every chat's loaded messages and last message, newest first, once each", () => {
    const threads = {
      d_bob: { items: [message("d_bob", 1, "Pancakes on Sunday?"), message("d_bob", 2, "yes")] },
    };
    const last = [message("d_bob", 2, "yes"), message("d_carol", 7, "I love pancakes", 30)];
    const hits = searchAcrossChats(threads, last, "PANCAKES");
    expect(hits.map((h) => [h.conversationId, h.message.seq])).toEqual([
      ["d_carol", 7],
      ["d_bob", 1],
    ]);
    expect(searchAcrossChats(threads, last, "  ")).toEqual([]);
    expect(searchAcrossChats(threads, last, "pancakes", 1)).toHaveLength(1);
  });
});
