/**
 * Typed REST helpers for every route of README "REST API", at the paths of the protocol's ROUTES table. Answers are parsed with the protocol's schemas, and
 * failures become `ApiError` with the server's stable code, so apps switch on `err.code`.
 */
import { z } from "zod";
import {
  ChatListStateAnswer,
  DataArchive,
  ExportAnswer,
  type DataExport,
  Conversation,
  ConversationSummary,
  Invite,
  InvitePreview,
  Media,
  Message,
  MessageStatus,
  Presence,
  Privacy,
  ROUTES,
  ServerConfig,
  Session,
  Upload,
  User,
  pathTo,
  MAX_FORWARD_TARGETS,
  ReactionSummary,
  type AddMembersBody,
  type ChatListStateBody,
  type EditMessageBody,
  type ErrorCode,
  type PrivacyBody,
  type ReportBody,
  type MessageRef,
  type ReactionBody,
  type SendMessageBody,
  type SetRoleBody,
  type UpdateGroupBody,
} from "./protocol/index.ts";
import { THUMBNAIL_HEADER } from "./protocol/media.ts";
import { toBase64 } from "./protocol/base64.ts";

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "network";
  readonly retryAfter?: number;

  constructor(status: number, code: ErrorCode | "network", message: string, retryAfter?: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const ErrorEnvelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Extras of `uploadMedia`: progress, and what the device knows about the file (checked by the server). */
export interface UploadMediaOptions {
  /** Called as bytes go out: `sent` of `total`. Without XMLHttpRequest (Node), only 0 and total. */
  onProgress?(sent: number, total: number): void;
  /** Pixels, both or neither (1–16384). */
  width?: number;
  height?: number;
  /** Videos only, 1 ms – 3 h. */
  durationMs?: number;
  /** A JPEG or WebP preview of at most 8 KB, made on the device (e.g. a 96 px canvas export). */
  thumbnail?: Uint8Array | ArrayBuffer;
  /**
   * Uploads a document instead: any type, up to MAX_DOCUMENT_BYTES, under this file name; it
   * downloads as an attachment. Takes no width, height, duration or thumbnail.
   */
  filename?: string;
  /** Voice notes (an audio `type`): up to 100 loudness levels 0–255, drawn before the audio loads. */
  waveform?: readonly number[];
}

/** The part of XMLHttpRequest the upload uses; typed here so the SDK compiles without the DOM lib. */
interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  readonly status: number;
  readonly responseText: string;
  getResponseHeader(name: string): string | null;
  upload: { onprogress: ((event: { loaded: number; total: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

const MediaAnswer = z.object({ media: Media });
const UploadAnswer = z.object({ upload: Upload });

export interface ApiOptions {
  baseUrl: string;
  token?: string | null;
  fetch?: typeof fetch;
}

export class Api {
  token: string | null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly customFetch: boolean;

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token ?? null;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.customFetch = options.fetch !== undefined;
  }

  /** One request; `schema` parses a 2xx body, `null` expects no body. */
  async request<T>(method: string, path: string, schema: z.ZodType<T> | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    if (!res.ok) throw Api.errorFrom(res.status, await res.text().catch(() => ""), res.headers.get("retry-after"));
    if (schema === null) return undefined as T;
    return schema.parse(await res.json());
  }

  /** The ApiError for a failed answer: the server's code when the body is our error envelope. */
  private static errorFrom(status: number, body: string, retryAfterHeader: string | null): ApiError {
    let json: unknown = null;
    try {
      json = JSON.parse(body);
    } catch {
      // not JSON: fall through to a generic error
    }
    const parsed = ErrorEnvelope.safeParse(json);
    const retryAfter = Number(retryAfterHeader) || undefined;
    if (parsed.success)
      return new ApiError(status, parsed.data.error.code as ErrorCode, parsed.data.error.message, retryAfter);
    return new ApiError(status, "internal", `HTTP ${status}`);
  }

  // ---- media ----
  /**
   * Uploads a picture or video (`type` = its MIME type, e.g. `image/jpeg`) and returns its `media`;
   * send it with `sendMessage(…, { mediaId: media.id })` or `Connection.send`. The server checks the
   * bytes really are `type` (415 `unsupported_media_type`) and at most MAX_MEDIA_BYTES (413 `media_too_large`).
   * In browsers the upload goes through XMLHttpRequest for real progress (fetch cannot report it),
   * unless a custom `fetch` was given.
   */
  async uploadMedia(
    bytes: Blob | ArrayBuffer | Uint8Array,
    type: string,
    opts: UploadMediaOptions = {},
  ): Promise<Media> {
    const blob =
      bytes instanceof Blob ? bytes : new Blob([bytes instanceof Uint8Array ? new Uint8Array(bytes) : bytes]);
    const query = new URLSearchParams();
    if (opts.width !== undefined) query.set("width", String(opts.width));
    if (opts.height !== undefined) query.set("height", String(opts.height));
    if (opts.durationMs !== undefined) query.set("durationMs", String(opts.durationMs));
    if (opts.filename !== undefined) query.set("filename", opts.filename);
    if (opts.waveform !== undefined) query.set("waveform", opts.waveform.join(","));
    const url = `${this.baseUrl}${ROUTES.uploadMedia.path}${query.size > 0 ? `?${query}` : ""}`;
    const headers: Record<string, string> = { "content-type": type };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.thumbnail) headers[THUMBNAIL_HEADER] = toBase64(new Uint8Array(opts.thumbnail));

    const Xhr = (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest;
    const answer =
      Xhr && !this.customFetch
        ? await this.uploadWithXhr(Xhr, url, headers, blob, opts)
        : await this.uploadWithFetch(url, headers, blob, opts);
    if (answer.status < 200 || answer.status >= 300) throw Api.errorFrom(answer.status, answer.body, answer.retryAfter);
    return MediaAnswer.parse(JSON.parse(answer.body)).media;
  }

  private async uploadWithFetch(
    url: string,
    headers: Record<string, string>,
    blob: Blob,
    opts: Pick<UploadMediaOptions, "onProgress">,
    method = "POST",
  ) {
    opts.onProgress?.(0, blob.size);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, body: blob });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    const body = await res.text();
    if (res.ok) opts.onProgress?.(blob.size, blob.size);
    return { status: res.status, body, retryAfter: res.headers.get("retry-after") };
  }

  private uploadWithXhr(
    Xhr: new () => XhrLike,
    url: string,
    headers: Record<string, string>,
    blob: Blob,
    opts: Pick<UploadMediaOptions, "onProgress">,
    method = "POST",
  ) {
    return new Promise<{ status: number; body: string; retryAfter: string | null }>((resolve, reject) => {
      const xhr = new Xhr();
      xhr.open(method, url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => opts.onProgress?.(event.loaded, event.total || blob.size);
      xhr.onload = () =>
        resolve({ status: xhr.status, body: xhr.responseText, retryAfter: xhr.getResponseHeader("retry-after") });
      xhr.onerror = () => reject(new ApiError(0, "network", "upload failed"));
      xhr.onabort = () => reject(new ApiError(0, "network", "upload aborted"));
      opts.onProgress?.(0, blob.size);
      xhr.send(blob);
    });
  }

  // ---- multipart (resumable) uploads: ./resumable-upload.ts drives them ----
  /** Starts a multipart upload of `size` bytes of `type` (a document when `filename` is given). */
  createUpload(size: number, type: string, filename?: string): Promise<Upload> {
    const query = new URLSearchParams({ size: String(size) });
    if (filename !== undefined) query.set("filename", filename);
    return this.requestWithType(
      ROUTES.createUpload.method,
      `${ROUTES.createUpload.path}?${query}`,
      type,
      UploadAnswer,
    ).then((r) => r.upload);
  }
  /** The upload as the server has it: which parts arrived. 404 once completed, aborted or not mine. */
  uploadStatus(id: string): Promise<Upload> {
    return this.request(ROUTES.upload.method, pathTo(ROUTES.upload.path, { id }), UploadAnswer).then((r) => r.upload);
  }
  /** Sends part `part` (exactly its length), with progress where XMLHttpRequest exists. */
  async uploadPart(id: string, part: number, bytes: Blob, onProgress?: (sent: number, total: number) => void) {
    const url = `${this.baseUrl}${pathTo(ROUTES.uploadPart.path, { id, part })}`;
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const Xhr = (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest;
    const opts = { onProgress };
    const answer =
      Xhr && !this.customFetch
        ? await this.uploadWithXhr(Xhr, url, headers, bytes, opts, "PUT")
        : await this.uploadWithFetch(url, headers, bytes, opts, "PUT");
    if (answer.status < 200 || answer.status >= 300) throw Api.errorFrom(answer.status, answer.body, answer.retryAfter);
    return UploadAnswer.parse(JSON.parse(answer.body)).upload;
  }
  /** Joins the parts into the media; answers it like `uploadMedia`. */
  completeUpload(id: string): Promise<Media> {
    return this.request(ROUTES.completeUpload.method, pathTo(ROUTES.completeUpload.path, { id }), MediaAnswer).then(
      (r) => r.media,
    );
  }
  /** Cancels the upload: R2 frees its parts. */
  abortUpload(id: string): Promise<void> {
    return this.request(ROUTES.abortUpload.method, pathTo(ROUTES.abortUpload.path, { id }), null);
  }
  /** A body-less call that declares a Content-Type (creating an upload names the file's type). */
  private async requestWithType<T>(method: string, path: string, type: string, schema: z.ZodType<T>): Promise<T> {
    const headers: Record<string, string> = { "content-type": type };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    if (!res.ok) throw Api.errorFrom(res.status, await res.text().catch(() => ""), res.headers.get("retry-after"));
    return schema.parse(await res.json());
  }

  // ---- accounts and profiles ----
  async register(input: { username: string; password: string; displayName: string }) {
    const out = await this.request(
      ROUTES.register.method,
      ROUTES.register.path,
      z.object({ user: User, token: z.string() }),
      input,
    );
    this.token = out.token;
    return out;
  }
  async login(input: { username: string; password: string }) {
    const out = await this.request(
      ROUTES.login.method,
      ROUTES.login.path,
      z.object({ user: User, token: z.string() }),
      input,
    );
    this.token = out.token;
    return out;
  }
  async logout(): Promise<void> {
    await this.request(ROUTES.logout.method, ROUTES.logout.path, null);
    this.token = null;
  }
  me() {
    return this.request(ROUTES.me.method, ROUTES.me.path, z.object({ user: User })).then((r) => r.user);
  }
  updateMe(patch: { displayName?: string; about?: string; pictureMediaId?: string | null }) {
    return this.request(ROUTES.updateMe.method, ROUTES.updateMe.path, z.object({ user: User }), patch).then(
      (r) => r.user,
    );
  }
  user(id: string) {
    return this.request(ROUTES.user.method, pathTo(ROUTES.user.path, { id }), z.object({ user: User })).then(
      (r) => r.user,
    );
  }
  searchUsers(prefix: string) {
    return this.request(
      ROUTES.searchUsers.method,
      `${ROUTES.searchUsers.path}?q=${encodeURIComponent(prefix)}`,
      z.object({ users: z.array(User) }),
    ).then((r) => r.users);
  }

  // ---- conversations ----
  openDirect(userId: string) {
    return this.request(
      ROUTES.openConversation.method,
      ROUTES.openConversation.path,
      z.object({ conversation: Conversation }),
      {
        type: "direct",
        userId,
      },
    ).then((r) => r.conversation);
  }
  createGroup(name: string, memberIds: string[]) {
    return this.request(
      ROUTES.openConversation.method,
      ROUTES.openConversation.path,
      z.object({ conversation: Conversation }),
      {
        type: "group",
        name,
        memberIds,
      },
    ).then((r) => r.conversation);
  }
  conversations() {
    return this.request(
      ROUTES.conversations.method,
      ROUTES.conversations.path,
      z.object({ conversations: z.array(ConversationSummary) }),
    ).then((r) => r.conversations);
  }
  conversation(id: string) {
    return this.request(
      ROUTES.conversation.method,
      pathTo(ROUTES.conversation.path, { id }),
      z.object({ conversation: Conversation }),
    ).then((r) => r.conversation);
  }
  /** A page of history ascending by seq: the newest `limit` before `before` (or the newest overall). */
  history(id: string, opts: { before?: number; limit?: number } = {}) {
    const q = new URLSearchParams();
    if (opts.before !== undefined) q.set("before", String(opts.before));
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    const qs = q.size > 0 ? `?${q}` : "";
    return this.request(
      ROUTES.history.method,
      `${pathTo(ROUTES.history.path, { id })}${qs}`,
      z.object({ messages: z.array(Message) }),
    ).then((r) => r.messages);
  }
  /** Sends over REST (the WebSocket `send` is the fast path); same idempotency by `clientId`. */
  sendMessage(id: string, body: SendMessageBody) {
    return this.request(
      ROUTES.sendMessage.method,
      pathTo(ROUTES.sendMessage.path, { id }),
      z.object({ message: Message }),
      body,
    ).then((r) => r.message);
  }
  deleteMessage(id: string, seq: number, scope: "me" | "everyone") {
    return this.request(
      ROUTES.deleteMessage.method,
      `${pathTo(ROUTES.deleteMessage.path, { id, seq })}?for=${scope}`,
      null,
    );
  }
  /** The sender replaces a text within EDIT_WINDOW_SECONDS; answers the edited message. */
  editMessage(id: string, seq: number, text: string) {
    const body: EditMessageBody = { text };
    return this.request(
      ROUTES.editMessage.method,
      pathTo(ROUTES.editMessage.path, { id, seq }),
      z.object({ message: Message }),
      body,
    ).then((r) => r.message);
  }
  /** Sets or changes my one reaction (exactly one emoji); answers the message's reactions. */
  react(id: string, seq: number, emoji: string) {
    const body: ReactionBody = { emoji };
    return this.request(
      ROUTES.setReaction.method,
      pathTo(ROUTES.setReaction.path, { id, seq }),
      z.object({ message: z.object({ seq: z.number(), reactions: z.array(ReactionSummary) }) }),
      body,
    ).then((r) => r.message.reactions);
  }
  unreact(id: string, seq: number) {
    return this.request(ROUTES.removeReaction.method, pathTo(ROUTES.removeReaction.path, { id, seq }), null);
  }
  /**
   * Forwards a message the user can see to up to MAX_FORWARD_TARGETS chats, one send each (each
   * with its own client id): the answers in the order of `targets`.
   */
  forward(from: MessageRef, targets: readonly string[]) {
    if (targets.length > MAX_FORWARD_TARGETS)
      return Promise.reject(new ApiError(400, "invalid_request", `forward to at most ${MAX_FORWARD_TARGETS} chats`));
    return Promise.all(targets.map((id) => this.sendMessage(id, { clientId: crypto.randomUUID(), forwardOf: from })));
  }
  markRead(id: string, upTo: number) {
    return this.request(ROUTES.markRead.method, pathTo(ROUTES.markRead.path, { id }), null, { upTo });
  }
  messageStatus(id: string, seq: number) {
    return this.request(
      ROUTES.messageStatus.method,
      pathTo(ROUTES.messageStatus.path, { id, seq }),
      z.object({ status: MessageStatus }),
    ).then((r) => r.status);
  }
  /** An admin adds people to a group; answers the group as it is now. */
  addMembers(id: string, userIds: AddMembersBody["userIds"]) {
    const body: AddMembersBody = { userIds };
    return this.request(
      ROUTES.addMembers.method,
      pathTo(ROUTES.addMembers.path, { id }),
      z.object({ conversation: Conversation }),
      body,
    ).then((r) => r.conversation);
  }
  /** Removes a member (admins), or leaves the group (with one's own id). */
  deleteMember(id: string, userId: string) {
    return this.request(ROUTES.deleteMember.method, pathTo(ROUTES.deleteMember.path, { id, userId }), null);
  }
  /** An admin makes a member an admin, or an admin a member again. */
  setRole(id: string, userId: string, role: SetRoleBody["role"]) {
    const body: SetRoleBody = { role };
    return this.request(
      ROUTES.setRole.method,
      pathTo(ROUTES.setRole.path, { id, userId }),
      z.object({ conversation: Conversation }),
      body,
    ).then((r) => r.conversation);
  }
  /** An admin renames the group or sets its picture (an uploaded media id; null removes it). */
  updateGroup(id: string, patch: UpdateGroupBody) {
    return this.request(
      ROUTES.updateGroup.method,
      pathTo(ROUTES.updateGroup.path, { id }),
      z.object({ conversation: Conversation }),
      patch,
    ).then((r) => r.conversation);
  }
  /**
   * Sets a chat's disappearing-messages timer (`seconds`, one of DISAPPEARING_TIMERS; 0 = off): any
   * member of a direct chat, an admin of a group. Answers the chat as it now is.
   */
  setDisappearing(id: string, seconds: number) {
    return this.updateGroup(id, { disappearingSeconds: seconds });
  }
  /** Who may see my online state and last seen, as set now. */
  /** Who may see my online state and last seen (see `privacySettings` for all settings). */
  privacy() {
    return this.privacySettings().then((p) => p.presence);
  }
  /** All my privacy settings (README "Privacy"). */
  privacySettings() {
    return this.request(ROUTES.privacy.method, ROUTES.privacy.path, z.object({ privacy: Privacy })).then(
      (r) => r.privacy,
    );
  }
  /**
   * Changes privacy settings: a presence audience (as before), or any of them at once. `readReceipts:
   * false` = in direct chats I neither send read receipts nor see others'.
   */
  setPrivacy(change: "everyone" | "contacts" | "nobody" | PrivacyBody) {
    const body = typeof change === "string" ? { presence: change } : change;
    return this.request(ROUTES.setPrivacy.method, ROUTES.setPrivacy.path, z.object({ privacy: Privacy }), body).then(
      (r) => r.privacy,
    );
  }
  /** My signed-in devices, most recently active first; `current` marks this one. */
  sessions() {
    return this.request(ROUTES.sessions.method, ROUTES.sessions.path, z.object({ sessions: z.array(Session) })).then(
      (r) => r.sessions,
    );
  }
  /** Signs one device out: its token stops working and its sockets close (4001) at once. */
  async endSession(id: string): Promise<void> {
    await this.request(ROUTES.endSession.method, pathTo(ROUTES.endSession.path, { id }), null);
  }
  /** Signs out every device but this one. */
  async endOtherSessions(): Promise<void> {
    await this.request(ROUTES.endOtherSessions.method, `${ROUTES.endOtherSessions.path}?others=true`, null);
  }
  /** Changes my password; every other device is signed out. 401 `invalid_credentials` if `current` is wrong. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.request(ROUTES.changePassword.method, ROUTES.changePassword.path, null, {
      currentPassword,
      newPassword,
    });
  }
  /**
   * Reports a person, a chat, or messages of a chat (`seqs`), with a reason. The server keeps the
   * messages as I see them now, for an operator. Blocking is separate (`block`).
   */
  report(body: ReportBody) {
    return this.request(
      ROUTES.report.method,
      ROUTES.report.path,
      z.object({ report: z.object({ id: z.string() }) }),
      body,
    ).then((r) => r.report);
  }
  /**
   * Deletes my account for good: every group left, profile "Deleted account", every session ended.
   * 401 `invalid_credentials` if `password` is wrong; nothing changes then.
   */
  async deleteAccount(password: string): Promise<void> {
    await this.request(ROUTES.deleteAccount.method, ROUTES.deleteAccount.path, null, { password });
  }
  /** Starts "Export my data": the archive is prepared in the background; poll it with `dataExport`. */
  startExport(): Promise<DataExport> {
    return this.request(ROUTES.startExport.method, ROUTES.startExport.path, ExportAnswer).then((r) => r.export);
  }
  /**
   * My export `id`: `{ export }` while it is preparing (or failed), `{ export, file }` once ready —
   * `file` is the archive as served (a `messenger-export.json` attachment), `archive` its parsed content.
   * 404 `not_found` for an id that is not mine.
   */
  async dataExport(id: string): Promise<{ export: DataExport; file?: Blob; archive?: DataArchive }> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${pathTo(ROUTES.dataExport.path, { id })}`, {
        method: ROUTES.dataExport.method,
        headers,
      });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    if (!res.ok) throw Api.errorFrom(res.status, await res.text().catch(() => ""), res.headers.get("retry-after"));
    if (res.status === 202) return ExportAnswer.parse(await res.json());
    const text = await res.text();
    const archive = DataArchive.parse(JSON.parse(text));
    return { export: { id, status: "ready" }, file: new Blob([text], { type: "application/json" }), archive };
  }
  /** A new invite link for a group (admins; the previous link stops working). */
  createInvite(id: string) {
    return this.request(
      ROUTES.createInvite.method,
      pathTo(ROUTES.createInvite.path, { id }),
      z.object({ invite: Invite }),
    ).then((r) => r.invite);
  }
  /** Revokes a group's invite link (admins): it answers 404 from then on. */
  async revokeInvite(id: string): Promise<void> {
    await this.request(ROUTES.revokeInvite.method, pathTo(ROUTES.revokeInvite.path, { id }), null);
  }
  /** What an invite link shows: the group's name, picture and member count. */
  invitePreview(token: string) {
    return this.request(
      ROUTES.invitePreview.method,
      pathTo(ROUTES.invitePreview.path, { token }),
      z.object({ group: InvitePreview }),
    ).then((r) => r.group);
  }
  /** Joins the group of an invite link; 404 once revoked, 409 `group_full` at 200 members. */
  joinInvite(token: string) {
    return this.request(
      ROUTES.joinInvite.method,
      pathTo(ROUTES.joinInvite.path, { token }),
      z.object({ conversation: Conversation }),
    ).then((r) => r.conversation);
  }
  /**
   * Pins, archives or marks a chat unread for me (README "Chat list state"); every device of mine
   * gets a `chat_state` event. 409 `too_many_pinned` past three pins.
   */
  setListState(id: string, change: ChatListStateBody) {
    return this.request(
      ROUTES.setListState.method,
      pathTo(ROUTES.setListState.path, { id }),
      ChatListStateAnswer,
      change,
    ).then((r) => r.state);
  }
  /** Deletes a chat for me: gone from my list (all devices) until a newer message arrives. */
  clearChat(id: string) {
    return this.request(ROUTES.clearChat.method, pathTo(ROUTES.clearChat.path, { id }), ChatListStateAnswer).then(
      (r) => r.state,
    );
  }
  /** The people I blocked, oldest block first (README "Blocking"). */
  blocked() {
    return this.request(ROUTES.blocked.method, ROUTES.blocked.path, z.object({ users: z.array(User) })).then(
      (r) => r.users,
    );
  }
  /**
   * Blocks `userId`: what they send me in our direct chat is never delivered to me (they see one tick),
   * they cannot add me to groups and see neither my presence nor my profile changes. Idempotent.
   */
  async block(userId: string): Promise<void> {
    await this.request(ROUTES.block.method, pathTo(ROUTES.block.path, { userId }), null);
  }
  /** Unblocks `userId`; what they sent meanwhile stays withheld. Idempotent. */
  async unblock(userId: string): Promise<void> {
    await this.request(ROUTES.unblock.method, pathTo(ROUTES.unblock.path, { userId }), null);
  }
  presence(ids: string[]) {
    return this.request(
      ROUTES.presence.method,
      `${ROUTES.presence.path}?ids=${ids.map(encodeURIComponent).join(",")}`,
      z.object({ presence: z.array(Presence) }),
    ).then((r) => r.presence);
  }

  /** What this deploy allows (`GET /v1/config`): the delete-for-everyone window and the size limits. */
  config() {
    return this.request(ROUTES.config.method, ROUTES.config.path, ServerConfig);
  }

  /** A single-use ticket for the next WebSocket upgrade (valid 30 s; the SDK fetches one per connect). */
  wsTicket() {
    return this.request(
      ROUTES.wsTicket.method,
      ROUTES.wsTicket.path,
      z.object({ ticket: z.string(), expiresAt: z.string() }),
    );
  }

  /** The WebSocket URL for this server. */
  wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, "ws")}${ROUTES.ws.path}`;
  }
}
