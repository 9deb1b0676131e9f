import { render } from "preact";
import { App } from "./app/App.tsx";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App />, root);

// The one service worker: the offline app shell and Web Push (public/push-sw.js). The same URL as
// src/app/notifications.ts, so both get the same registration.
if ("serviceWorker" in navigator) {
  addEventListener("load", () => void navigator.serviceWorker.register("/push-sw.js").catch(() => undefined));
}
