/**
 * Pick people: the ones I already chat with (most recent first) until I type, then a search by
 * username; results with checkboxes, and the chosen ones as chips.
 */
import { useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import type { User } from "../lib/sdk.ts";
import { useUserSearch } from "../lib/use-user-search.ts";
import { sortedChats } from "../state/selectors.ts";
import { Avatar } from "./Avatar.tsx";
import { CloseIcon } from "./icons.tsx";

export interface UserPickerProps {
  chosen: User[];
  onChange(chosen: User[]): void;
  /** Already in the group: shown, not selectable. */
  excludeIds?: readonly string[];
}

export function UserPicker({ chosen, onChange, excludeIds = [] }: UserPickerProps) {
  const controller = useController();
  const meId = useApp((s) => s.me.id);
  const [query, setQuery] = useState("");
  const { users: found, searching } = useUserSearch(controller.api, query, meId);
  const chats = useApp(sortedChats);
  const known = useApp((s) => s.users);
  const searchingNow = query.trim() !== "";
  // Suggestions: the people of my direct chats, as long as nothing is typed.
  const users = searchingNow
    ? found
    : chats.flatMap((c) => {
        const peer = c.peerId ? known[c.peerId] : undefined;
        return peer ? [peer] : [];
      });
  const isChosen = (u: User) => chosen.some((c) => c.id === u.id);
  const toggle = (u: User) => onChange(isChosen(u) ? chosen.filter((c) => c.id !== u.id) : [...chosen, u]);
  return (
    <div class="user-picker">
      {chosen.length > 0 && (
        <ul class="chips" aria-label="Chosen people">
          {chosen.map((u) => (
            <li key={u.id} class="chip">
              <Avatar name={u.displayName} seed={u.id} pictureUrl={u.pictureUrl} size="sm" />
              {u.displayName}
              <button
                type="button"
                class="icon-btn small"
                aria-label={`Remove ${u.displayName}`}
                onClick={() => toggle(u)}
              >
                <CloseIcon />
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        class="text-input"
        type="search"
        aria-label="Search people by username"
        placeholder="Search by username"
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      {!searchingNow && users.length > 0 && <h3 class="section-title">People you chat with</h3>}
      <ul class="pick-list" aria-label={searchingNow ? "Search results" : "People you chat with"}>
        {users.map((u) => {
          const member = excludeIds.includes(u.id);
          return (
            <li key={u.id}>
              <label class={`pick-row ${member ? "disabled" : ""}`}>
                <input type="checkbox" checked={member || isChosen(u)} disabled={member} onChange={() => toggle(u)} />
                <Avatar name={u.displayName} seed={u.id} pictureUrl={u.pictureUrl} />
                <span class="pick-text">
                  <span class="pick-name">{u.displayName}</span>
                  <span class="muted">{member ? "Already in the group" : `@${u.username}`}</span>
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      {query.trim() && users.length === 0 && <p class="muted pad">{searching ? "Searching…" : "No one found."}</p>}
    </div>
  );
}
