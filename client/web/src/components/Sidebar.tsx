/** The left column: my avatar and actions, the search box, and the chat list or search results. */
import { useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { listTime } from "../lib/format.ts";
import { searchAcrossChats } from "../lib/message-search.ts";
import { useUserSearch } from "../lib/use-user-search.ts";
import { archivedChats, chatTitle, listedChats, sortedChats } from "../state/selectors.ts";
import { Avatar } from "./Avatar.tsx";
import { ChatRow } from "./ChatRow.tsx";
import { ArchiveIcon, BackIcon, CloseIcon, GroupIcon, SearchIcon } from "./icons.tsx";

function SidebarHeader() {
  const controller = useController();
  const me = useApp((s) => s.me);
  return (
    <header class="pane-header">
      <button
        type="button"
        class="avatar-btn"
        aria-label="Profile and settings"
        onClick={() => controller.setLeftPanel("profile")}
      >
        <Avatar name={me.displayName} seed={me.id} pictureUrl={me.pictureUrl} size="sm" />
      </button>
      <h1 class="pane-title">Chats</h1>
      <button
        type="button"
        class="icon-btn"
        aria-label="New group"
        title="New group"
        onClick={() => controller.setLeftPanel("new-group")}
      >
        <GroupIcon />
      </button>
    </header>
  );
}

function SearchResults({ query, onDone }: { query: string; onDone(): void }) {
  const controller = useController();
  const me = useApp((s) => s.me);
  const chats = useApp(sortedChats);
  const state = controller.store.get();
  const needle = query.trim().toLowerCase();
  const matching = chats.filter((c) => chatTitle(state, c).toLowerCase().includes(needle));
  const { users, searching } = useUserSearch(controller.api, query, me.id);
  const threads = useApp((s) => s.threads);
  const hits = searchAcrossChats(
    threads,
    chats.flatMap((c) => (c.lastMessage ? [c.lastMessage] : [])),
    query,
  );
  return (
    <div class="search-results">
      {matching.length > 0 && (
        <>
          <h2 class="section-title">Chats</h2>
          <ul class="chat-list">
            {matching.map((c) => (
              <ChatRow key={c.id} id={c.id} />
            ))}
          </ul>
        </>
      )}
      {hits.length > 0 && (
        <>
          <h2 class="section-title">Messages</h2>
          <ul class="chat-list" aria-label="Messages found">
            {hits.map(({ conversationId, message }) => {
              const chat = state.chats[conversationId];
              const title = chat ? chatTitle(state, chat) : "";
              return (
                <li key={`${conversationId}:${message.seq}`}>
                  <button
                    type="button"
                    class="chat-row"
                    onClick={() => {
                      onDone();
                      void controller.openAt(conversationId, message.seq);
                    }}
                  >
                    <span class="chat-row-main">
                      <span class="chat-row-line">
                        <span class="chat-row-name">{title}</span>
                        <span class="visually-hidden">, </span>
                        <time class="chat-row-time" dateTime={message.sentAt}>
                          {listTime(message.sentAt)}
                        </time>
                      </span>
                      <span class="chat-row-line">
                        <span class="visually-hidden">, </span>
                        <span class="chat-row-preview" dir="auto">
                          {message.text}
                        </span>
                      </span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <h2 class="section-title">People</h2>
      {users.length === 0 ? (
        <p class="muted pad">
          {searching ? "Searching…" : `No one with a username starting “${needle.replace(/^@/, "")}”.`}
        </p>
      ) : (
        <ul class="chat-list" aria-label="People">
          {users.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                class="chat-row"
                onClick={() => {
                  onDone();
                  void controller.chatWith(u);
                }}
              >
                <Avatar name={u.displayName} seed={u.id} pictureUrl={u.pictureUrl} />
                <span class="chat-row-main">
                  <span class="chat-row-line">
                    <span class="chat-row-name">{u.displayName}</span>
                  </span>
                  <span class="chat-row-line">
                    <span class="chat-row-preview">@{u.username}</span>
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The chat-list rows (or search results) in order: what ArrowUp/ArrowDown move between. */
function rowsNear(el: Element): HTMLElement[] {
  const body = el.closest(".sidebar")?.querySelector(".pane-body");
  return body ? [...body.querySelectorAll<HTMLElement>("button.chat-row")] : [];
}

function focusResult(from: Element, index: number): void {
  rowsNear(from)[index]?.focus();
}

/** ArrowDown/ArrowUp move between rows; Enter opens one (it is a button); ArrowUp from the first returns to search. */
function moveBetweenRows(e: KeyboardEvent): void {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const current = e.target instanceof HTMLElement ? e.target : null;
  if (!current?.classList.contains("chat-row")) return;
  const rows = rowsNear(current);
  const at = rows.indexOf(current);
  e.preventDefault();
  if (e.key === "ArrowDown") rows[at + 1]?.focus();
  else if (at > 0) rows[at - 1]?.focus();
  else current.closest(".sidebar")?.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
}

/** The row that opens the Archived list (shown while something is archived). */
function ArchivedEntry({ count, onOpen }: { count: number; onOpen(): void }) {
  return (
    <li>
      <button type="button" class="chat-row archived-entry" onClick={onOpen}>
        <span class="archived-entry-icon">
          <ArchiveIcon />
        </span>
        <span class="chat-row-main">
          <span class="chat-row-line">
            <span class="chat-row-name">Archived</span>
            <span class="muted small" aria-label={`${count} chat${count === 1 ? "" : "s"}`}>
              {count}
            </span>
          </span>
        </span>
      </button>
    </li>
  );
}

/** The chats I archived; back returns to the main list. */
function ArchivedList({ onBack }: { onBack(): void }) {
  const chats = useApp(archivedChats);
  return (
    <section aria-label="Archived chats">
      <div class="archived-header">
        <button type="button" class="icon-btn" aria-label="Back to chats" onClick={onBack}>
          <BackIcon />
        </button>
        <h2 class="section-title">Archived</h2>
      </div>
      {chats.length === 0 ? (
        <p class="muted pad">No archived chats.</p>
      ) : (
        <ul class="chat-list">
          {chats.map((c) => (
            <ChatRow key={c.id} id={c.id} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function Sidebar() {
  const chats = useApp(listedChats);
  const archived = useApp(archivedChats);
  const [showArchived, setShowArchived] = useState(false);
  const [query, setQuery] = useState("");
  return (
    <>
      <SidebarHeader />
      <div class="search-bar" role="search">
        <SearchIcon />
        <input
          type="search"
          aria-label="Search chats or find people by username"
          placeholder="Search or start a new chat"
          dir="auto"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" && query) {
              e.preventDefault(); // clears the search only; the next Escape closes the chat
              setQuery("");
            } else if (e.key === "ArrowDown") {
              e.preventDefault();
              focusResult(e.currentTarget, 0);
            }
          }}
        />
        {query && (
          <button type="button" class="icon-btn small" aria-label="Clear search" onClick={() => setQuery("")}>
            <CloseIcon />
          </button>
        )}
      </div>
      <nav class="pane-body" aria-label="Chat list" onKeyDown={moveBetweenRows}>
        {query.trim() ? (
          <SearchResults query={query} onDone={() => setQuery("")} />
        ) : showArchived ? (
          <ArchivedList onBack={() => setShowArchived(false)} />
        ) : chats.length === 0 && archived.length === 0 ? (
          <div class="empty-list">
            <p>No chats yet.</p>
            <p class="muted">Search for someone by username above to start chatting.</p>
          </div>
        ) : (
          <ul class="chat-list">
            {archived.length > 0 && <ArchivedEntry count={archived.length} onOpen={() => setShowArchived(true)} />}
            {chats.map((c) => (
              <ChatRow key={c.id} id={c.id} />
            ))}
          </ul>
        )}
      </nav>
    </>
  );
}
