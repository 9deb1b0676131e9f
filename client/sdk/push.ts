/**
 * Browser helper for Web Push (README "Notifications"): after login, `enablePush(api, registration)` fetches the
 * server's VAPID key, subscribes through the PushManager (the browser asks for permission if it has
 * not yet) and registers the subscription with the server. Call it on every app start while logged
 * in: it reuses the existing subscription, and replaces it if the server's key changed. On logout,
 * call `disablePush` before dropping the token. The service worker is client/web/public/push-sw.js.
 *
 * Types are structural (no DOM lib): a real `ServiceWorkerRegistration` satisfies them.
 */
import type { Api } from "./api.ts";
import { fromBase64Url } from "./protocol/base64.ts";
import {
  MuteAnswer,
  NotificationPrefs,
  PushSubscriptionBody,
  ROUTES,
  VapidKeyAnswer,
  pathTo,
} from "./protocol/index.ts";
import { z } from "zod";

/** What the helper uses of `PushSubscription`. */
export interface PushSubscriptionLike {
  readonly endpoint: string;
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  toJSON(): { endpoint?: string; expirationTime?: number | null; keys?: Record<string, string> };
  unsubscribe(): Promise<boolean>;
}

/** What the helper uses of `ServiceWorkerRegistration`. */
export interface PushRegistrationLike {
  readonly pushManager: {
    getSubscription(): Promise<PushSubscriptionLike | null>;
    subscribe(options: {
      userVisibleOnly: boolean;
      applicationServerKey: Uint8Array<ArrayBuffer>;
    }): Promise<PushSubscriptionLike>;
  };
}

const Created = z.object({ subscription: z.object({ endpoint: z.string() }) });

function sameBytes(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

/**
 * Subscribes this browser and registers it with the server; resolves to the endpoint. Rejects with
 * the browser's error if the user denies permission (`NotAllowedError`), or an `ApiError` (e.g.
 * `unavailable` when the server has no VAPID keys).
 */
export async function enablePush(api: Api, registration: PushRegistrationLike): Promise<string> {
  const { publicKey } = await api.request(ROUTES.vapidKey.method, ROUTES.vapidKey.path, VapidKeyAnswer);
  const key = fromBase64Url(publicKey);
  if (!key) throw new Error("the server's VAPID key is not base64url");
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && subscription.options && !sameBytes(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe(); // made for another server key: the push service would refuse our pushes
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const body = PushSubscriptionBody.parse({ ...subscription.toJSON(), endpoint: subscription.endpoint });
  const out = await api.request(ROUTES.subscribePush.method, ROUTES.subscribePush.path, Created, body);
  return out.subscription.endpoint;
}

/** Forgets this browser's subscription on the server and in the browser (logout, or "notifications off"). */
export async function disablePush(api: Api, registration: PushRegistrationLike): Promise<void> {
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await api
    .request(ROUTES.unsubscribePush.method, ROUTES.unsubscribePush.path, null, { endpoint: subscription.endpoint })
    .catch(() => undefined);
  await subscription.unsubscribe();
}

/** The mute choices the client offers. */
export type MuteChoice = "8h" | "1w" | "always" | null;

const MUTE_MS = { "8h": 8 * 3600_000, "1w": 7 * 24 * 3600_000 } as const;

/** Mutes pushes for one chat for 8 hours, a week, always, or unmutes (null). */
export async function muteConversation(
  api: Api,
  conversationId: string,
  choice: MuteChoice,
): Promise<MuteAnswer["mute"]> {
  const until = choice === null || choice === "always" ? choice : new Date(Date.now() + MUTE_MS[choice]).toISOString();
  const out = await api.request(ROUTES.mute.method, pathTo(ROUTES.mute.path, { id: conversationId }), MuteAnswer, {
    until,
  });
  return out.mute;
}

/** Private previews: `false` makes every push say only "New message". */
export async function setNotificationPreviews(api: Api, previews: boolean): Promise<boolean> {
  const out = await api.request(ROUTES.setNotifications.method, ROUTES.setNotifications.path, NotificationPrefs, {
    previews,
  });
  return out.previews;
}
