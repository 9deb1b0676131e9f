/**
 * Push notifications in the browser: registers the service worker (`/push-sw.js`) and subscribes
 * through the SDK helper, asks for permission only from a user gesture (the "Turn on notifications"
 * button), resumes silently on later visits once granted, and unsubscribes on logout so the next
 * person on this browser does not get this user's notifications.
 */
import { disablePush, enablePush, setNotificationPreviews } from "../../../sdk/push.ts";
import { ApiError, type Api } from "../lib/sdk.ts";

const WORKER_URL = "/push-sw.js";

export type PushState = "unsupported" | "off" | "on" | "denied" | "unavailable";

export class Notifications {
  private readonly api: Api;

  constructor(api: Api) {
    this.api = api;
  }

  /** What the settings screen shows before the user does anything. */
  state(): PushState {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window))
      return "unsupported";
    if (Notification.permission === "denied") return "denied";
    return Notification.permission === "granted" ? "on" : "off";
  }

  /** From a click: asks for permission, then subscribes. */
  async enable(): Promise<PushState> {
    if (this.state() === "unsupported") return "unsupported";
    if ((await Notification.requestPermission()) !== "granted") return "denied";
    return this.subscribe();
  }

  /** On app start: keeps an already granted subscription fresh (keys may rotate, endpoints expire). */
  async resume(): Promise<void> {
    if (this.state() === "on") await this.subscribe();
  }

  /** On logout, while the session still works. */
  async disable(): Promise<void> {
    if (this.state() === "unsupported") return;
    const registration = await navigator.serviceWorker.getRegistration(WORKER_URL);
    if (registration) await disablePush(this.api, registration).catch(() => undefined);
  }

  setPreviews(previews: boolean): Promise<boolean> {
    return setNotificationPreviews(this.api, previews);
  }

  private async subscribe(): Promise<PushState> {
    try {
      await navigator.serviceWorker.register(WORKER_URL);
      const registration = await navigator.serviceWorker.ready;
      await enablePush(this.api, registration);
      return "on";
    } catch (error) {
      // 503 = the server has no VAPID keys configured; anything else: the browser's push service.
      return error instanceof ApiError && error.code === "unavailable" ? "unavailable" : "off";
    }
  }
}
