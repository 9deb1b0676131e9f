/**
 * The app's one service worker (scope "/"): Web Push (issue 8) and the offline app shell. Vite copies
 * client/web/public/ to the site root, so this is /push-sw.js; main.tsx registers it on every load,
 * and the notifications code (src/app/notifications.ts) gets the same registration for
 * `enablePush` (client/sdk/push.ts).
 *
 * Offline shell: the HTML and the hashed bundles it names are cached at install, pages are
 * network-first with the cached shell as the fallback, and /assets/* (immutable) is cache-first, so
 * a reload without a network opens the app; its chats and queued messages come from IndexedDB.
 * The API (/v1/*, /health) never goes through the cache: its answers are per user and live.
 *
 * Push: the server sends one push per burst per conversation; its decrypted JSON is the protocol's
 * `PushPayload` {conversationId, title, body, count}. Notifications of one conversation share a tag,
 * so a newer one replaces the older on the device. A click focuses an open window of the app (and
 * posts {type: "open-conversation", conversationId} to it) or opens /?c=<conversationId>.
 * Plain JavaScript: it is served as is, outside the app bundle.
 */
/// <reference lib="webworker" />
/* eslint-env serviceworker */

/** @param {unknown} value @param {string} fallback */
const text = (value, fallback) => (typeof value === "string" && value.length > 0 ? value : fallback);

/** One cache for the shell; a new name here drops the old one on activate. */
const SHELL_CACHE = "shell-v1";
/** What the app needs to open without a network, besides the bundles the HTML names. */
const SHELL_FILES = ["/", "/manifest.webmanifest", "/favicon.svg", "/icon-192.png"];

/** The same-origin script and style URLs of an HTML page (the hashed bundles of this build). */
const assetsOf = (html) =>
  [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]).filter((u) => typeof u === "string");

/** Fetches `/` and the bundles it names into the cache. */
async function cacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  const page = await fetch("/", { cache: "no-cache" });
  if (!page.ok) return;
  const html = await page.clone().text();
  await cache.put("/", page);
  await cache.addAll([...SHELL_FILES.slice(1), ...assetsOf(html)]);
}

self.addEventListener("install", (event) => {
  // A new version takes over at once: the handlers are stateless.
  event.waitUntil(cacheShell().catch(() => undefined));
  void self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL_CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/") || url.pathname.startsWith("/health")) return;
  if (request.mode === "navigate") {
    // Network first (a deploy shows at once); offline, the cached shell (the app reads ?c= itself).
    event.respondWith(
      (async () => {
        try {
          const fresh = await fetch(request);
          if (fresh.ok && url.pathname === "/") {
            const cache = await caches.open(SHELL_CACHE);
            await cache.put("/", fresh.clone());
          }
          return fresh;
        } catch {
          return (await caches.match("/")) ?? Response.error();
        }
      })(),
    );
    return;
  }
  // Hashed bundles never change under one name, the rest of the shell rarely: cache first.
  event.respondWith(
    (async () => {
      const cached = await caches.match(request);
      if (cached) return cached;
      const fresh = await fetch(request);
      if (fresh.ok && (url.pathname.startsWith("/assets/") || SHELL_FILES.includes(url.pathname))) {
        const cache = await caches.open(SHELL_CACHE);
        await cache.put(request, fresh.clone());
      }
      return fresh;
    })(),
  );
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
