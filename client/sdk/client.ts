/**
 * `MessengerClient`: the one object an app holds. REST calls through `client.api`, real time through
 * `client.connect()`, and a local view of each conversation's messages kept in seq order from both.
 */
import { Api, ApiError } from "./api.ts";
import { Connection, type ConnectionEvents, type ConnectionOptions } from "./connection.ts";
import { Emitter } from "./emitter.ts";
import { MemoryStore, type ClientStore } from "./store.ts";

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  /** Stable per device/browser; the server keeps a cursor per device. */
  deviceId?: string;
  store?: ClientStore;
  WebSocket?: typeof WebSocket;
  fetch?: typeof fetch;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Events of the current connection, re-emitted so handlers survive reconnects and re-logins. */
const FORWARDED: (keyof ConnectionEvents)[] = [
  "event",
  "profile",
  "synced",
  "state",
  "presence",
  "typing",
  "error",
  "unauthorized",
  "outbox",
  "sent",
];

export class MessengerClient extends Emitter<ConnectionEvents> {
  readonly api: Api;
  readonly deviceId: string;
  /** One store for the client's lifetime: the cursor and outbox outlive each connection. */
  readonly store: ClientStore;
  connection: Connection | null = null;

  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    super();
    this.options = options;
    this.api = new Api({ baseUrl: options.baseUrl, token: options.token, fetch: options.fetch });
    this.deviceId = options.deviceId ?? crypto.randomUUID();
    this.store = options.store ?? new MemoryStore();
  }

  /** Opens the real-time connection (after register/login); resolves once caught up. */
  async connect(): Promise<Connection> {
    if (!this.api.token) throw new ApiError(401, "unauthorized", "log in first");
    this.connection?.close();
    const options: ConnectionOptions = {
      url: this.api.wsUrl(),
      ticket: () =>
        this.api.wsTicket().then(
          (t) => t.ticket,
          (e: unknown) => {
            if (e instanceof ApiError && e.code === "unauthorized") return null;
            throw e;
          },
        ),
      deviceId: this.deviceId,
      store: this.store,
      WebSocket: this.options.WebSocket,
      minBackoffMs: this.options.minBackoffMs,
      maxBackoffMs: this.options.maxBackoffMs,
      tokenStillValid: () =>
        this.api.me().then(
          () => true,
          (e: unknown) => !(e instanceof ApiError && e.code === "unauthorized"),
        ),
    };
    const connection = new Connection(options);
    for (const name of FORWARDED) connection.on(name, (payload) => this.emit(name, payload as never));
    this.connection = connection;
    await connection.connect();
    return this.connection;
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }
}
