/**
 * Web Push settings (README "Notifications"): the VAPID key browsers subscribe with, storing/removing a browser's
 * subscription with the user's hub, muting a chat, and private previews. Sending happens in the hub
 * (durable-objects/user-hub/push.ts); this file only validates and stores.
 */
import { Hono } from "hono";
import {
  Id,
  MuteBody,
  NotificationPrefsBody,
  PushSubscriptionBody,
  PushUnsubscribeBody,
  ROUTES,
  type MuteAnswer,
  type NotificationPrefs,
  type VapidKeyAnswer,
} from "../../client/sdk/protocol/index.ts";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { fromBase64Url } from "../../lib/bytes.ts";
import { AppError } from "../../lib/errors.ts";
import { valid } from "../lib/validate.ts";
import { endpointProblem } from "../../lib/webpush/endpoint.ts";
import { vapidProblem } from "../../lib/webpush/keys.ts";
import { log } from "../../lib/log.ts";
import { requireUser } from "../middleware/auth.ts";

/** The key browsers subscribe with; `unavailable` when push is off or refused (no subscription could ever be served). */
function vapidPublicKey(env: Env): string {
  const problem = vapidProblem(env);
  if (problem) log("error", "push_misconfigured", { problem });
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY || problem) {
    throw new AppError("unavailable", "push notifications are not configured on this server");
  }
  return env.VAPID_PUBLIC_KEY;
}

/** True if `p256dh` is a point on P-256 (the regex in the schema only checks its length). */
async function isP256Point(p256dh: string): Promise<boolean> {
  const raw = fromBase64Url(p256dh.replace(/=+$/, ""));
  if (!raw) return false;
  try {
    await crypto.subtle.importKey("raw", raw, { name: "ECDH", namedCurve: "P-256" }, false, []);
    return true;
  } catch {
    return false;
  }
}

const ConversationParam = z.strictObject({ id: Id });

export const pushRoutes = new Hono<AppEnv>()
  .get(ROUTES.vapidKey.path, (c) => c.json({ publicKey: vapidPublicKey(c.env) } satisfies VapidKeyAnswer))

  .post(ROUTES.subscribePush.path, requireUser, valid("json", PushSubscriptionBody), async (c) => {
    vapidPublicKey(c.env);
    const sub = c.req.valid("json");
    const problem = endpointProblem(sub.endpoint, c.env.PUSH_ALLOW_INSECURE === "1");
    if (problem) throw new AppError("invalid_request", problem);
    if (!(await isP256Point(sub.keys.p256dh))) throw new AppError("invalid_request", "keys.p256dh: not a P-256 point");
    await c.env.USER_HUB.getByName(c.get("userId")).addPushSubscription(sub);
    return c.json({ subscription: { endpoint: sub.endpoint } }, 201);
  })

  .delete(ROUTES.unsubscribePush.path, requireUser, valid("json", PushUnsubscribeBody), async (c) => {
    await c.env.USER_HUB.getByName(c.get("userId")).removePushSubscription(c.req.valid("json").endpoint);
    return c.body(null, 204);
  })

  .put(ROUTES.mute.path, requireUser, valid("param", ConversationParam), valid("json", MuteBody), async (c) => {
    const { id } = c.req.valid("param");
    const { until } = c.req.valid("json");
    const at = until === null || until === "always" ? until : Date.parse(until);
    const known = await c.env.USER_HUB.getByName(c.get("userId")).mutePush(id, at);
    if (!known) throw new AppError("not_found", "no such conversation");
    const shown = typeof at === "number" ? (at > Date.now() ? new Date(at).toISOString() : null) : at;
    return c.json({ mute: { conversationId: id, until: shown } } satisfies MuteAnswer);
  })

  .get(ROUTES.notifications.path, requireUser, async (c) => {
    const previews = await c.env.USER_HUB.getByName(c.get("userId")).pushPreviews();
    return c.json({ previews } satisfies NotificationPrefs);
  })

  .put(ROUTES.setNotifications.path, requireUser, valid("json", NotificationPrefsBody), async (c) => {
    const previews = await c.env.USER_HUB.getByName(c.get("userId")).setPushPreviews(c.req.valid("json").previews);
    return c.json({ previews } satisfies NotificationPrefs);
  });
