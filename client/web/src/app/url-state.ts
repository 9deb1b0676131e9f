/**
 * Where the user is, in the address bar: `/?c=<chat>` for an open chat; `&panel=info`,
 * `&panel=search` or `&panel=message-<seq>` for its side panel; `&side=<panel>` for a left panel
 * (profile, new group…). Every change of place pushes a history entry, so Back on a phone closes
 * the chat instead of leaving the app; Back/Forward and a reload land where the user was, and a
 * shared link opens it.
 */
import type { Store } from "../lib/tiny-store.ts";
import type { AppState, LeftPanel, RightPanel } from "../state/types.ts";

/** What this module needs of the session (the controller). */
export interface Navigator {
  readonly store: Store<AppState>;
  openChat(conversationId: string | null): void;
  setLeftPanel(panel: LeftPanel): void;
  setRightPanel(panel: RightPanel): void;
}

/** Ids and panel names are short tokens; anything else in the URL is ignored. */
const TOKEN = /^[A-Za-z0-9_-]{1,100}$/;

interface Place {
  chat: string | null;
  right: RightPanel;
  left: LeftPanel;
}

/** The URL (path + query) for a place. */
export function urlFor(place: Place): string {
  const q = new URLSearchParams();
  if (place.chat) q.set("c", place.chat);
  if (place.chat && place.right)
    q.set("panel", place.right.kind === "message-info" ? `message-${place.right.seq}` : place.right.kind);
  if (place.left) q.set("side", place.left);
  const query = q.toString();
  return query ? `/?${query}` : "/";
}

/** The place a URL's query names (unknown or malformed parts ignored). */
export function placeOf(search: string): Place {
  const q = new URLSearchParams(search);
  const token = (key: string) => {
    const v = q.get(key);
    return v && TOKEN.test(v) ? v : null;
  };
  const chat = token("c");
  const panel = token("panel");
  const seq = panel?.startsWith("message-") ? Number(panel.slice("message-".length)) : NaN;
  const right: RightPanel =
    !chat || !panel
      ? null
      : panel === "info" || panel === "search"
        ? { kind: panel }
        : Number.isSafeInteger(seq) && seq > 0
          ? { kind: "message-info", seq }
          : null;
  return { chat, right, left: token("side") as LeftPanel };
}

const placeIn = (s: AppState): Place => ({ chat: s.activeChatId, right: s.rightPanel, left: s.leftPanel });

/** Moves the app to `place` (from a link, a reload, Back or Forward). */
function go(nav: Navigator, place: Place): void {
  if (nav.store.get().activeChatId !== place.chat) nav.openChat(place.chat);
  nav.setRightPanel(place.chat ? place.right : null);
  nav.setLeftPanel(place.left);
}

/** Opens what the current URL names, then keeps the URL and the app in step. Returns a cleanup. */
export function syncUrl(nav: Navigator): () => void {
  let applying = false;
  const apply = () => {
    applying = true;
    try {
      go(nav, placeOf(location.search));
    } finally {
      applying = false;
    }
    // The URL may have named something that does not resolve (bad panel): show what is open.
    const url = urlFor(placeIn(nav.store.get()));
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  };
  apply();
  const unsubscribe = nav.store.subscribe(() => {
    if (applying) return;
    const url = urlFor(placeIn(nav.store.get()));
    if (url !== location.pathname + location.search) history.pushState(null, "", url);
  });
  window.addEventListener("popstate", apply);
  return () => {
    unsubscribe();
    window.removeEventListener("popstate", apply);
    // The session ended (logged out): the next one starts at the chat list, not in this one's panels.
    history.replaceState(null, "", "/");
  };
}
