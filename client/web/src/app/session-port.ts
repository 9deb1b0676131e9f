/**
 * What the action groups (`messages`, `groups`, `profile`) need from the logged-in session. They
 * depend on this small interface, never on the controller that owns them, so state flows one way:
 * components → controller → actions → SDK and store. `Controller` implements it.
 */
import type { Api, Connection, User } from "../lib/sdk.ts";
import type { AppState } from "../state/types.ts";

export interface SessionPort {
  /** REST calls of the signed-in user. */
  readonly api: Api;
  /** The real-time connection (null before the first connect); sends go through its outbox. */
  connection(): Connection | null;
  /** The current app state (read-only: change it through `update`). */
  state(): AppState;
  /** Applies a state transition (ignored once the session stopped). */
  update(transition: (state: AppState) => AppState): void;
  /** Whether the user is looking at this chat now (its messages count as read). */
  isViewing(conversationId: string): boolean;
  /** A short message at the bottom of the screen. */
  toast(text: string): void;
  /** Opens a chat, or closes the open one (null). */
  openChat(conversationId: string | null): void;
  /** Refetches a conversation's members and roles. */
  refreshDetails(conversationId: string): Promise<void>;
  /** Refetches the chat list soon (coalesced). */
  scheduleChatsRefresh(): void;
  /** My profile changed: state, and the saved session for the next load. */
  setMe(me: User): void;
}
