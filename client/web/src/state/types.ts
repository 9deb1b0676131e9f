/** The shape of the app's state (see lib/tiny-store.ts). Server objects are kept exactly as the SDK parsed them. */
import { DEFAULT_SERVER_CONFIG } from "../lib/sdk.ts";
import type {
  Conversation,
  ConversationSummary,
  ConnectionState,
  Media,
  Message,
  PendingSend,
  Presence,
  ServerConfig,
  User,
} from "../lib/sdk.ts";

/** The delivered/read watermarks of my own messages in one conversation (protocol `status` event). */
export interface Receipts {
  deliveredSome: number;
  deliveredAll: number;
  readSome: number;
  readAll: number;
}

/** The loaded window of one conversation's history, ascending by seq, without gaps. */
export interface Thread {
  items: Message[];
  /** False once the first message (seq 1) or an empty page was reached. */
  hasOlder: boolean;
  loadingOlder: boolean;
}

/**
 * A message I sent that has no seq yet, as a bubble shows it: a send from the SDK's outbox (typed
 * offline, or waiting for the server), a file still uploading, or a send the server refused.
 */
export interface LocalSend {
  clientId: string;
  conversationId: string;
  text?: string;
  /** Set once the upload finished (or after a reload, when only the id survived). */
  mediaId?: string;
  /** What the bubble shows while the file uploads; `blob` = the file itself, kept to retry a refused upload. */
  file?: { url: string; type: string; name: string; blob?: Blob };
  /** 0–1 while uploading; undefined when there is nothing to upload. */
  progress?: number;
  queuedAt: number;
  /** Why it can never be sent (too large, not a member…); shown on the bubble. */
  error?: string;
}

export type LeftPanel = "profile" | "new-group" | null;
export type RightPanel = { kind: "info" } | { kind: "message-info"; seq: number } | { kind: "search" } | null;

export interface AppState {
  me: User;
  /** This deploy's limits (`GET /v1/config`); the protocol's defaults until the answer arrives. */
  config: ServerConfig;
  connection: ConnectionState;
  /** `navigator.onLine`: false shows the offline banner at once, before the socket notices. */
  networkOnline: boolean;
  chats: Record<string, ConversationSummary>;
  /** Full conversation objects (members, roles), fetched when a chat or its info is opened. */
  details: Record<string, Conversation>;
  users: Record<string, User>;
  presence: Record<string, Presence>;
  /** The people I blocked (`blocked` events keep it the same on every device of mine). */
  blocked: Record<string, true>;
  /** conversationId → userId → when the indicator expires (ms since epoch). */
  typing: Record<string, Record<string, number>>;
  threads: Record<string, Thread>;
  receipts: Record<string, Receipts>;
  /**
   * The SDK's outbox (client/sdk/connection.ts): sends kept in IndexedDB and re-sent until the server
   * stores them. Mirrored from its `outbox` event, never changed here.
   */
  queued: readonly PendingSend[];
  /**
   * What only this tab knows about a send: its file and upload progress, a text waiting behind an
   * upload (not handed to the outbox yet), or why the server refused it. Overlays the queued send
   * with the same clientId; gone once the message is stored or the failure discarded.
   */
  local: LocalSend[];
  activeChatId: string | null;
  leftPanel: LeftPanel;
  rightPanel: RightPanel;
  viewer: { media: Media; conversationId: string } | null;
  toast: string | null;
}

export function initialState(me: User): AppState {
  return {
    me,
    config: DEFAULT_SERVER_CONFIG,
    connection: "idle",
    networkOnline: typeof navigator === "undefined" ? true : navigator.onLine,
    chats: {},
    details: {},
    users: { [me.id]: me },
    presence: {},
    blocked: {},
    typing: {},
    threads: {},
    receipts: {},
    queued: [],
    local: [],
    activeChatId: null,
    leftPanel: null,
    rightPanel: null,
    viewer: null,
    toast: null,
  };
}
