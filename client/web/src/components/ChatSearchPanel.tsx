/**
 * "Search messages" in the open chat (the side panel): matches among the messages loaded on this
 * device, newest first, and a button that fetches older history pages to search them too. A result
 * jumps to the message in the chat and highlights it.
 */
import { useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { dayLabel, timeOfDay } from "../lib/format.ts";
import { jumpToMessage } from "../lib/jump-to-message.ts";
import { searchMessages } from "../lib/message-search.ts";
import { nameOf } from "../state/selectors.ts";
import { CloseIcon } from "./icons.tsx";
import { usePanelFocus } from "./use-panel-focus.ts";

export function ChatSearchPanel({ id }: { id: string }) {
  const controller = useController();
  const thread = useApp((s) => s.threads[id]);
  useApp((s) => s.users); // sender names resolve as profiles arrive
  const [query, setQuery] = useState("");
  const panel = useRef<HTMLElement>(null);
  usePanelFocus(panel);
  const results = searchMessages(thread?.items ?? [], query);
  const state = controller.store.get();
  return (
    <section ref={panel} class="drawer" aria-label="Search messages">
      <header class="drawer-header">
        <button type="button" class="icon-btn" aria-label="Close" onClick={() => controller.setRightPanel(null)}>
          <CloseIcon />
        </button>
        <h2>Search messages</h2>
      </header>
      <div class="drawer-body">
        <div class="search-bar" role="search">
          <input
            type="search"
            dir="auto"
            aria-label="Search messages in this chat"
            placeholder="Search…"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </div>
        {query.trim() && (
          <p class="muted pad" role="status">
            {results.length === 0 ? "No messages found" : `${results.length} found`}
            {thread?.hasOlder ? " in the messages loaded so far" : ""}
          </p>
        )}
        <ul class="search-hits" aria-label="Messages found">
          {results.map((m) => (
            <li key={m.seq}>
              <button type="button" class="search-hit" onClick={() => jumpToMessage(m.seq)}>
                <span class="muted small">
                  {nameOf(state, m.senderId)} · {dayLabel(m.sentAt)} {timeOfDay(m.sentAt)}
                </span>
                <span dir="auto">{m.text}</span>
              </button>
            </li>
          ))}
        </ul>
        {query.trim() && thread?.hasOlder && (
          <button
            type="button"
            class="btn btn-text"
            disabled={thread.loadingOlder}
            onClick={() => void controller.loadOlder(id)}
          >
            {thread.loadingOlder ? "Loading…" : "Search older messages"}
          </button>
        )}
      </div>
    </section>
  );
}
