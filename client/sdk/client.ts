/**
 * `MessengerClient`: the one object an app holds. REST calls through `client.api`, real time through
 * `client.connect()`, and a local view of each conversation's messages kept in seq order from both.
 */
import { Api, ApiError } from "./api.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";
import type { ClientStore } from "./store.ts";

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

export class MessengerClient {
  readonly api: Api;
  readonly deviceId: string;
  connection: Connection | null = null;

  constructor(private readonly options: ClientOptions) {
    this.api = new Api({ baseUrl: options.baseUrl, token: options.token, fetch: options.fetch });
    this.deviceId = options.deviceId ?? crypto.randomUUID();
  }

  /** Opens the real-time connection (after register/login); resolves once caught up. */
  async connect(): Promise<Connection> {
    if (!this.api.token) throw new ApiError(401, "unauthorized", "log in first");
    this.connection?.close();
    const options: ConnectionOptions = {
      url: this.api.wsUrl(),
      token: this.api.token,
      deviceId: this.deviceId,
      store: this.options.store,
      WebSocket: this.options.WebSocket,
      minBackoffMs: this.options.minBackoffMs,
      maxBackoffMs: this.options.maxBackoffMs,
      tokenStillValid: () =>
        this.api.me().then(
          () => true,
          (e: unknown) => !(e instanceof ApiError && e.code === "unauthorized"),
        ),
    };
    this.connection = new Connection(options);
    await this.connection.connect();
    return this.connection;
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }
}
