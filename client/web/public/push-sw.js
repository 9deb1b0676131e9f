/**
 * Service worker for Web Push (issue 8). Vite copies client/web/public/ to the site root, so this is
 * /push-sw.js with scope "/". Register it after login and pass the registration to the SDK's
 * `enablePush` (client/sdk/push.ts):
 *
 *   const registration = await navigator.serviceWorker.register("/push-sw.js");
 *   await enablePush(client.api, registration);
 *
 * The server sends one push per burst per conversation; its decrypted JSON is the protocol's
 * `PushPayload` {conversationId, title, body, count}. Notifications of one conversation share a tag,
 * so a newer one replaces the older on the device. A click focuses an open window of the app (and
 * posts {type: "open-conversation", conversationId} to it) or opens /?c=<conversationId>.
 * Plain JavaScript: it is served as is, outside the app bundle.
 */
/// <reference lib="webworker" />
/* eslint-env serviceworker */

/** @param {unknown} value @param {string} fallback */
const text = (value, fallback) => (typeof value === "string" && value.length > 0 ? value : fallback);

self.addEventListener("install", () => {
  // A new version takes over at once: the handlers are stateless.
  void self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    // Not JSON: still show something (browsers penalise pushes that show nothing).
  }
  const conversationId = typeof data.conversationId === "string" ? data.conversationId : null;
  const options = {
    body: text(data.body, "New message"),
    data: { conversationId },
    icon: "/favicon.svg",
    badge: "/favicon.svg",
  };
  if (conversationId) Object.assign(options, { tag: `conversation:${conversationId}`, renotify: true });
  event.waitUntil(self.registration.showNotification(text(data.title, "New message"), options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const conversationId = event.notification.data?.conversationId ?? null;
  const target = new URL(conversationId ? `/?c=${encodeURIComponent(conversationId)}` : "/", self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        // The app switches chats itself (no reload); it may also read ?c= on its next start.
        open.postMessage({ type: "open-conversation", conversationId });
        await open.focus();
        return;
      }
      await self.clients.openWindow(target.href);
    })(),
  );
});
