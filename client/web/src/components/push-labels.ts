/** What each push state means to a person, for the profile drawer's button and the banner's outcome. */
import type { PushState } from "../app/notifications.ts";

export const PUSH_LABEL: Record<PushState, string> = {
  unsupported: "This browser cannot show notifications",
  off: "Turn on notifications",
  on: "Notifications are on",
  denied: "Notifications are blocked in the browser settings",
  unavailable: "Notifications are not set up on this server",
};
