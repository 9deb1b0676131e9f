/**
 * The banner while disconnected. Offline (per the browser) shows at once; a socket that is merely
 * reconnecting shows after a short grace, so a normal reconnect does not flash a warning.
 */
import { useEffect, useState } from "preact/hooks";
import { useApp } from "../app/context.ts";
import { waitingCount } from "../state/selectors.ts";

const GRACE_MS = 2_000;

export function OfflineBanner() {
  const online = useApp((s) => s.networkOnline);
  const live = useApp((s) => s.connection === "live");
  const queued = useApp(waitingCount);
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (live) return setLate(false);
    const timer = setTimeout(() => setLate(true), GRACE_MS);
    return () => clearTimeout(timer);
  }, [live]);
  const show = !online || (!live && late);
  const waiting = queued > 0 ? ` ${queued} message${queued === 1 ? "" : "s"} will be sent when you're back.` : "";
  return (
    <div class={`offline-banner ${show ? "shown" : ""}`} role="status" aria-live="polite">
      {show &&
        (!online
          ? `You're offline.${waiting || " Messages you send will go out when you're back."}`
          : `Connecting…${waiting}`)}
    </div>
  );
}
