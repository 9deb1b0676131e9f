/**
 * The browser helper (client/sdk/push.ts) against a fake PushManager and a scripted server: it
 * subscribes with the server's VAPID key, reuses a matching subscription, replaces one made for
 * another key, and unregisters on logout. Also a compile-time check that a real
 * ServiceWorkerRegistration fits the helper's structural types.
 */
import { describe, expect, it } from "vitest";
import { Api } from "../../client/sdk/api.ts";
import {
  disablePush,
  enablePush,
  muteConversation,
  type PushRegistrationLike,
  type PushSubscriptionLike,
} from "../../client/sdk/push.ts";

const KEY = `B${"A".repeat(86)}`;
const OTHER_KEY = `B${"Q".repeat(86)}`;
const bytes = (b64url: string) => new Uint8Array(Buffer.from(b64url, "base64url"));

// Compile-time: the DOM's registration must be accepted as is.
export const accepts = (r: ServiceWorkerRegistration): PushRegistrationLike => r;

function fakeServer() {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  const api = new Api({
    baseUrl: "https://chat.example",
    token: "t",
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method: init?.method ?? "GET", path: url.pathname, body });
      if (url.pathname === "/v1/push/vapid-key") return Response.json({ publicKey: KEY });
      if (url.pathname === "/v1/push/subscriptions" && init?.method === "POST") {
        return Response.json({ subscription: { endpoint: (body as { endpoint: string }).endpoint } }, { status: 201 });
      }
      if (url.pathname.endsWith("/mute")) {
        return Response.json({ mute: { conversationId: "c1", until: (body as { until: unknown }).until } });
      }
      return new Response(null, { status: 204 });
    },
  });
  return { api, calls };
}

function fakeBrowser(existingKey: string | null) {
  const state = { subscribedWith: null as Uint8Array | null, unsubscribed: 0 };
  const make = (endpoint: string, key: Uint8Array): PushSubscriptionLike => ({
    endpoint,
    options: { applicationServerKey: key.slice().buffer },
    toJSON: () => ({
      endpoint,
      expirationTime: null,
      keys: { p256dh: KEY, auth: "A".repeat(22) },
    }),
    unsubscribe: async () => {
      state.unsubscribed++;
      current = null;
      return true;
    },
  });
  let current: PushSubscriptionLike | null = existingKey ? make("https://push.example/old", bytes(existingKey)) : null;
  const registration: PushRegistrationLike = {
    pushManager: {
      getSubscription: async () => current,
      subscribe: async (options) => {
        state.subscribedWith = options.applicationServerKey;
        current = make("https://push.example/new", options.applicationServerKey);
        return current;
      },
    },
  };
  return { registration, state };
}

describe("enablePush", () => {
  it("subscribes with the server's VAPID key and registers the subscription", async () => {
    const { api, calls } = fakeServer();
    const { registration, state } = fakeBrowser(null);
    expect(await enablePush(api, registration)).toBe("https://push.example/new");
    expect(state.subscribedWith).toEqual(bytes(KEY));
    expect(calls.at(-1)).toMatchObject({
      method: "POST",
      path: "/v1/push/subscriptions",
      body: { endpoint: "https://push.example/new", keys: { auth: "A".repeat(22) } },
    });
  });

  it("reuses a subscription made with the same key", async () => {
    const { api } = fakeServer();
    const { registration, state } = fakeBrowser(KEY);
    expect(await enablePush(api, registration)).toBe("https://push.example/old");
    expect(state.subscribedWith).toBeNull();
  });

  it("replaces a subscription made for another server key", async () => {
    const { api } = fakeServer();
    const { registration, state } = fakeBrowser(OTHER_KEY);
    expect(await enablePush(api, registration)).toBe("https://push.example/new");
    expect(state.unsubscribed).toBe(1);
  });
});

describe("disablePush and muteConversation", () => {
  it("deletes the subscription on the server and in the browser", async () => {
    const { api, calls } = fakeServer();
    const { registration, state } = fakeBrowser(KEY);
    await disablePush(api, registration);
    expect(calls.at(-1)).toMatchObject({ method: "DELETE", body: { endpoint: "https://push.example/old" } });
    expect(state.unsubscribed).toBe(1);
  });

  it("mutes for 8 hours as an ISO time", async () => {
    const { api, calls } = fakeServer();
    const before = Date.now();
    await muteConversation(api, "c1", "8h");
    const until = Date.parse((calls.at(-1)?.body as { until: string }).until);
    expect(until - before).toBeGreaterThanOrEqual(8 * 3600_000 - 1000);
    expect(until - before).toBeLessThanOrEqual(8 * 3600_000 + 1000);
  });
});
