/** Settings: the people I blocked, each with an Unblock button (the list follows every device of mine). */
import { useEffect } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { Avatar } from "./Avatar.tsx";

export function BlockedContacts() {
  const controller = useController();
  const ids = useApp((s) => Object.keys(s.blocked));
  const users = useApp((s) => s.users);
  useEffect(() => void controller.blocks.load(), [controller]);
  return (
    <section class="info-section" aria-labelledby="blocked-title">
      <h4 id="blocked-title">Blocked contacts</h4>
      {ids.length === 0 ? (
        <p class="muted small">Nobody. Block someone from their contact info.</p>
      ) : (
        <ul class="member-list" aria-label="Blocked contacts">
          {ids.map((id) => {
            const user = users[id];
            return (
              <li class="member-row" key={id}>
                <Avatar name={user?.displayName ?? "?"} seed={id} pictureUrl={user?.pictureUrl} />
                <span class="member-text">
                  <span class="member-name">{user?.displayName ?? "…"}</span>
                  <span class="muted">{user ? `@${user.username}` : ""}</span>
                </span>
                <button
                  type="button"
                  class="btn btn-small"
                  onClick={() => void controller.blocks.set(id, false)}
                  aria-label={`Unblock ${user?.displayName ?? "contact"}`}
                >
                  Unblock
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
