/**
 * Typed REST helpers for every route in API.md. Answers are parsed with the protocol's schemas, and
 * failures become `ApiError` with the server's stable code, so apps switch on `err.code`.
 */
import { z } from "zod";
import {
  Conversation,
  ConversationSummary,
  Message,
  MessageStatus,
  Presence,
  User,
  type ErrorCode,
} from "./protocol/index.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const ErrorEnvelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface ApiOptions {
  baseUrl: string;
  token?: string | null;
  fetch?: typeof fetch;
}

export class Api {
  token: string | null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.token = options.token ?? null;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
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
    if (!res.ok) {
      const parsed = ErrorEnvelope.safeParse(await res.json().catch(() => null));
      const retryAfter = Number(res.headers.get("retry-after")) || undefined;
      if (parsed.success) throw new ApiError(res.status, parsed.data.error.code as ErrorCode, parsed.data.error.message, retryAfter);
      throw new ApiError(res.status, "internal", `HTTP ${res.status}`);
    }
    if (schema === null) return undefined as T;
    return schema.parse(await res.json());
  }

  // ---- accounts and profiles ----
  async register(input: { username: string; password: string; displayName: string }) {
    const out = await this.request("POST", "/v1/auth/register", z.object({ user: User, token: z.string() }), input);
    this.token = out.token;
    return out;
  }
  async login(input: { username: string; password: string }) {
    const out = await this.request("POST", "/v1/auth/login", z.object({ user: User, token: z.string() }), input);
    this.token = out.token;
    return out;
  }
  async logout(): Promise<void> {
    await this.request("POST", "/v1/auth/logout", null);
    this.token = null;
  }
  me() {
    return this.request("GET", "/v1/me", z.object({ user: User })).then((r) => r.user);
  }
  updateMe(patch: { displayName?: string; about?: string; pictureMediaId?: string | null }) {
    return this.request("PATCH", "/v1/me", z.object({ user: User }), patch).then((r) => r.user);
  }
  user(id: string) {
    return this.request("GET", `/v1/users/${encodeURIComponent(id)}`, z.object({ user: User })).then((r) => r.user);
  }
  searchUsers(prefix: string) {
    return this.request("GET", `/v1/users?q=${encodeURIComponent(prefix)}`, z.object({ users: z.array(User) })).then((r) => r.users);
  }

  // ---- conversations ----
  openDirect(userId: string) {
    return this.request("POST", "/v1/conversations", z.object({ conversation: Conversation }), { type: "direct", userId }).then((r) => r.conversation);
  }
  createGroup(name: string, memberIds: string[]) {
    return this.request("POST", "/v1/conversations", z.object({ conversation: Conversation }), { type: "group", name, memberIds }).then(
      (r) => r.conversation,
    );
  }
  conversations() {
    return this.request("GET", "/v1/conversations", z.object({ conversations: z.array(ConversationSummary) })).then((r) => r.conversations);
  }
  conversation(id: string) {
    return this.request("GET", `/v1/conversations/${id}`, z.object({ conversation: Conversation })).then((r) => r.conversation);
  }
  /** A page of history ascending by seq: the newest `limit` before `before` (or the newest overall). */
  history(id: string, opts: { before?: number; limit?: number } = {}) {
    const q = new URLSearchParams();
    if (opts.before !== undefined) q.set("before", String(opts.before));
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    const qs = q.size > 0 ? `?${q}` : "";
    return this.request("GET", `/v1/conversations/${id}/messages${qs}`, z.object({ messages: z.array(Message) })).then((r) => r.messages);
  }
  /** Sends over REST (the WebSocket `send` is the fast path); same idempotency by `clientId`. */
  sendMessage(id: string, body: { clientId: string; text?: string; mediaId?: string }) {
    return this.request("POST", `/v1/conversations/${id}/messages`, z.object({ message: Message }), body).then((r) => r.message);
  }
  deleteMessage(id: string, seq: number, scope: "me" | "everyone") {
    return this.request("DELETE", `/v1/conversations/${id}/messages/${seq}?for=${scope}`, null);
  }
  markRead(id: string, upTo: number) {
    return this.request("POST", `/v1/conversations/${id}/read`, null, { upTo });
  }
  messageStatus(id: string, seq: number) {
    return this.request("GET", `/v1/conversations/${id}/messages/${seq}/status`, z.object({ status: MessageStatus })).then((r) => r.status);
  }
  presence(ids: string[]) {
    return this.request("GET", `/v1/presence?ids=${ids.map(encodeURIComponent).join(",")}`, z.object({ presence: z.array(Presence) })).then(
      (r) => r.presence,
    );
  }

  /** The WebSocket URL for this server. */
  wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, "ws")}/v1/ws`;
  }
}
