/**
 * The unread count where a person looks when the tab is in the background: the tab title
 * ("(3) Edge Messenger") and a badge on the favicon. Both follow the chat list's unread counts.
 */
import type { Store } from "../lib/tiny-store.ts";
import type { AppState } from "../state/types.ts";

const TITLE = "Edge Messenger";
/** The favicon (public/favicon.svg) with room for a badge. */
const ICON_BODY = '<circle cx="32" cy="32" r="30" fill="#00a884"/><path d="M18 44l3-9a14 14 0 1 1 6 6z" fill="#fff"/>';

/** Unread messages over all chats. */
export function totalUnread(s: AppState): number {
  let total = 0;
  for (const chat of Object.values(s.chats)) total += chat.unreadCount;
  return total;
}

/** The favicon as an SVG data URL, with a red badge showing `count` (99+ past 99) when above 0. */
export function faviconFor(count: number): string {
  const label = count > 99 ? "99+" : String(count);
  const badge =
    count > 0
      ? `<circle cx="46" cy="18" r="18" fill="#d50032"/><text x="46" y="25" font-family="Arial,sans-serif" font-size="${label.length > 2 ? 15 : 20}" font-weight="700" fill="#fff" text-anchor="middle">${label}</text>`
      : "";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${ICON_BODY}${badge}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Keeps the title and favicon in step with the unread count. Returns a cleanup. */
export function showUnreadInTab(store: Store<AppState>): () => void {
  const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  const original = icon?.href ?? "/favicon.svg";
  let shown = -1;
  const render = () => {
    const count = totalUnread(store.get());
    if (count === shown) return;
    shown = count;
    document.title = count > 0 ? `(${count}) ${TITLE}` : TITLE;
    if (icon) icon.href = count > 0 ? faviconFor(count) : original;
  };
  render();
  const unsubscribe = store.subscribe(render);
  return () => {
    unsubscribe();
    document.title = TITLE;
    if (icon) icon.href = original;
  };
}
