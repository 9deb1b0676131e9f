/**
 * Every REST route: its method and path template, in Hono's `:param` syntax. The one source of REST
 * paths: the Worker registers its routes with these templates and the SDK builds its URLs from them
 * with `pathTo`, so a path cannot drift between the two (README "REST API").
 */

/** One route: an HTTP method and a path template. */
export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: `/${string}`;
}

/** The REST API, by the name of the SDK method that calls it. */
export const ROUTES = {
  /** Liveness: public, touches no dependency. */
  health: { method: "GET", path: "/health" },
  /** Readiness per dependency; `Authorization: Bearer <HEALTH_SECRET>`, else 404. Not called by the SDK. */
  healthReady: { method: "GET", path: "/health/ready" },

  register: { method: "POST", path: "/v1/auth/register" },
  login: { method: "POST", path: "/v1/auth/login" },
  logout: { method: "POST", path: "/v1/auth/logout" },

  me: { method: "GET", path: "/v1/me" },
  updateMe: { method: "PATCH", path: "/v1/me" },
  user: { method: "GET", path: "/v1/users/:id" },
  /** `?q=` a username or display-name prefix. */
  searchUsers: { method: "GET", path: "/v1/users" },
  privacy: { method: "GET", path: "/v1/me/privacy" },
  setPrivacy: { method: "PUT", path: "/v1/me/privacy" },
  /** My signed-in devices (sessions); sign one out, or `?others=true` all but this one. */
  sessions: { method: "GET", path: "/v1/me/sessions" },
  endSession: { method: "DELETE", path: "/v1/me/sessions/:id" },
  endOtherSessions: { method: "DELETE", path: "/v1/me/sessions" },
  /** Change my password (needs the current one); every other session ends. */
  changePassword: { method: "POST", path: "/v1/me/password" },
  /** Delete my account for good, confirmed with my password (README "Deleting an account"). */
  deleteAccount: { method: "DELETE", path: "/v1/me" },
  /** "Export my data": start an archive, then poll it (202 while preparing, 200 the archive). */
  startExport: { method: "POST", path: "/v1/me/export" },
  dataExport: { method: "GET", path: "/v1/me/export/:id" },
  /** The people I blocked; block and unblock one (README "Blocking"). */
  blocked: { method: "GET", path: "/v1/me/blocked" },
  block: { method: "PUT", path: "/v1/me/blocked/:userId" },
  unblock: { method: "DELETE", path: "/v1/me/blocked/:userId" },
  /** Report a person, a chat or messages, with a reason (README "Reports"). */
  report: { method: "POST", path: "/v1/reports" },
  /** Operators only (`Authorization: Bearer <OPERATOR_SECRET>`), not called by the SDK: list and resolve reports. */
  operatorReports: { method: "GET", path: "/v1/operator/reports" },
  resolveReport: { method: "POST", path: "/v1/operator/reports/:id/resolve" },
  /** `?ids=a,b,c` (≤ 200). */
  presence: { method: "GET", path: "/v1/presence" },

  /** Opens a direct chat or creates a group. */
  openConversation: { method: "POST", path: "/v1/conversations" },
  conversations: { method: "GET", path: "/v1/conversations" },
  conversation: { method: "GET", path: "/v1/conversations/:id" },
  updateGroup: { method: "PATCH", path: "/v1/conversations/:id" },
  /** `?before=&limit=`. */
  history: { method: "GET", path: "/v1/conversations/:id/messages" },
  sendMessage: { method: "POST", path: "/v1/conversations/:id/messages" },
  /** `?for=me|everyone`. */
  deleteMessage: { method: "DELETE", path: "/v1/conversations/:id/messages/:seq" },
  messageStatus: { method: "GET", path: "/v1/conversations/:id/messages/:seq/status" },
  /** The sender edits a text within EDIT_WINDOW_SECONDS: `{ text }`. */
  editMessage: { method: "PATCH", path: "/v1/conversations/:id/messages/:seq" },
  /** `{ emoji }`: set or change my one reaction. */
  setReaction: { method: "PUT", path: "/v1/conversations/:id/messages/:seq/reaction" },
  removeReaction: { method: "DELETE", path: "/v1/conversations/:id/messages/:seq/reaction" },
  markRead: { method: "POST", path: "/v1/conversations/:id/read" },
  addMembers: { method: "POST", path: "/v1/conversations/:id/members" },
  deleteMember: { method: "DELETE", path: "/v1/conversations/:id/members/:userId" },
  setRole: { method: "PATCH", path: "/v1/conversations/:id/members/:userId" },

  /** A group's invite link: make one (a new token each time; admins) or revoke it. */
  createInvite: { method: "POST", path: "/v1/conversations/:id/invite" },
  revokeInvite: { method: "DELETE", path: "/v1/conversations/:id/invite" },
  /** What an invite link shows (name, picture, member count), and joining with it. */
  invitePreview: { method: "GET", path: "/v1/invites/:token" },
  joinInvite: { method: "POST", path: "/v1/invites/:token/join" },

  /** This deploy's limits and delete-for-everyone window. */
  config: { method: "GET", path: "/v1/config" },

  /** Raw bytes; `?width=&height=&durationMs=`. */
  uploadMedia: { method: "POST", path: "/v1/media" },
  /** Multipart (resumable) uploads, the uploader's alone (./uploads.ts). */
  createUpload: { method: "POST", path: "/v1/media/uploads" },
  upload: { method: "GET", path: "/v1/media/uploads/:id" },
  uploadPart: { method: "PUT", path: "/v1/media/uploads/:id/parts/:part" },
  completeUpload: { method: "POST", path: "/v1/media/uploads/:id/complete" },
  abortUpload: { method: "DELETE", path: "/v1/media/uploads/:id" },
  /** `?c=<conversationId>` or `?u=<userId>`: what grants access. */
  media: { method: "GET", path: "/v1/media/:id" },

  wsTicket: { method: "POST", path: "/v1/ws/ticket" },
  /** The WebSocket upgrade. */
  ws: { method: "GET", path: "/v1/ws" },

  vapidKey: { method: "GET", path: "/v1/push/vapid-key" },
  subscribePush: { method: "POST", path: "/v1/push/subscriptions" },
  unsubscribePush: { method: "DELETE", path: "/v1/push/subscriptions" },
  mute: { method: "PUT", path: "/v1/conversations/:id/mute" },
  /** Pin, archive, mark unread (README "Chat list state"). */
  setListState: { method: "PATCH", path: "/v1/conversations/:id/list-state" },
  /** Delete a chat for me: gone from my list until a newer message. */
  clearChat: { method: "POST", path: "/v1/conversations/:id/clear" },
  notifications: { method: "GET", path: "/v1/me/notifications" },
  setNotifications: { method: "PUT", path: "/v1/me/notifications" },
} as const satisfies Record<string, Route>;

/** The `:param` names of a path template, as a union. */
export type PathParamNames<T extends string> = T extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : T extends `${string}:${infer Name}`
    ? Name
    : never;

/**
 * The path of `template` with each `:param` replaced by its URI-encoded value. Templates without
 * params take no second argument; the compiler insists on every param of the others.
 */
export function pathTo<T extends string>(
  template: T,
  ...[params]: [PathParamNames<T>] extends [never] ? [] : [Record<PathParamNames<T>, string | number>]
): string {
  const values: Record<string, string | number> = params ?? {};
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`pathTo: no value for :${name} in ${template}`);
    return encodeURIComponent(String(value));
  });
}
