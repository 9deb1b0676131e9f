/**
 * Web Push bodies (RFC 8030/8291/8292): what a browser registers, how a user mutes a chat or hides
 * previews, and the JSON the service worker receives. Requests are strict, like every REST body.
 * The server checks more than shape (a reachable https endpoint, a point on P-256) and answers
 * `invalid_request` for anything it cannot push to.
 */
import { z } from "zod";
import { cleanString } from "./strings.ts";

/** Push service URLs are long opaque tokens (FCM ≈ 200 chars); 2 KB leaves room and bounds storage. */
export const MAX_PUSH_ENDPOINT_CHARS = 2048;

/** `keys.p256dh`: the browser's P-256 public key, uncompressed (65 bytes → 87 base64url chars, starts 0x04 → "B"). */
const P256dh = z.string().regex(/^B[A-Za-z0-9_-]{86}=?$/, "must be a 65-byte uncompressed P-256 point, base64url");
/** `keys.auth`: the 16-byte authentication secret (22 base64url chars). */
const AuthSecret = z.string().regex(/^[A-Za-z0-9_-]{22}(==)?$/, "must be 16 bytes, base64url");

/**
 * `POST /v1/push/subscriptions`: exactly `PushSubscription.toJSON()` from the browser. One row per
 * endpoint (a browser profile on a device); registering the same endpoint again replaces its keys.
 */
export const PushSubscriptionBody = z.strictObject({
  /** The push service URL the server POSTs to; https in production. */
  endpoint: cleanString().min(1).max(MAX_PUSH_ENDPOINT_CHARS),
  /** Sent by browsers; ignored (a subscription that expires answers 404/410 and is dropped then). */
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({ p256dh: P256dh, auth: AuthSecret }),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;

/** `DELETE /v1/push/subscriptions`: forget one endpoint (logout, or the user turned notifications off). */
export const PushUnsubscribeBody = z.strictObject({
  endpoint: cleanString().min(1).max(MAX_PUSH_ENDPOINT_CHARS),
});
export type PushUnsubscribeBody = z.infer<typeof PushUnsubscribeBody>;

/** `GET /v1/push/vapid-key`: the `applicationServerKey` for `PushManager.subscribe` (65 bytes, base64url). */
export const VapidKeyAnswer = z.object({ publicKey: z.string() });
export type VapidKeyAnswer = z.infer<typeof VapidKeyAnswer>;

/**
 * `PUT /v1/conversations/:id/mute`: until an ISO time (the client offers now + 8 h / 1 week),
 * `"always"`, or `null` to unmute. A muted chat still receives messages; only pushes stop.
 */
export const MuteBody = z.strictObject({
  until: z.union([z.iso.datetime({ offset: true }), z.literal("always"), z.null()]),
});
export type MuteBody = z.infer<typeof MuteBody>;

/** Answer of the mute route: `until` is an ISO time, `"always"`, or null (not muted). */
export const MuteAnswer = z.object({
  mute: z.object({ conversationId: z.string(), until: z.string().nullable() }),
});
export type MuteAnswer = z.infer<typeof MuteAnswer>;

/** `PUT /v1/me/notifications`: `previews: false` = private previews (pushes say only "New message"). */
export const NotificationPrefsBody = z.strictObject({ previews: z.boolean() });
export type NotificationPrefsBody = z.infer<typeof NotificationPrefsBody>;

/** Answer of `GET`/`PUT /v1/me/notifications`. */
export const NotificationPrefs = z.object({ previews: z.boolean() });
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;

/**
 * The decrypted JSON of every push (client/web/public/push-sw.js shows it). One push stands for a
 * burst: `count` unread messages in `conversationId`; `body` is a text preview only when the user
 * allows previews and the burst is a single text message.
 */
export const PushPayload = z.object({
  conversationId: z.string(),
  title: z.string(),
  body: z.string(),
  count: z.number().int().min(1),
});
export type PushPayload = z.infer<typeof PushPayload>;
