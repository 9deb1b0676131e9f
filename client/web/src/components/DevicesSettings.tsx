/**
 * Settings: my signed-in devices (this one marked), with "Sign out" for each other one and "Sign out
 * all other devices". A device signed out here closes its connection at once and shows its login.
 */
import { useEffect, useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import type { Session } from "../lib/sdk.ts";

export function DevicesSettings() {
  const controller = useController();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const reload = () => void controller.api.sessions().then(setSessions, () => setSessions(null));
  useEffect(reload, [controller]);
  const end = (work: Promise<void>) => void work.then(reload, () => controller.toast("Couldn't sign that device out"));
  if (sessions === null) return null;
  const others = sessions.filter((s) => !s.current);
  return (
    <section class="info-section" aria-labelledby="devices-title">
      <h4 id="devices-title">Devices</h4>
      <ul class="member-list" aria-label="Signed-in devices">
        {sessions.map((s) => (
          <li class="member-row" key={s.id}>
            <span class="member-text">
              <span class="member-name">{s.device}</span>
              <span class="muted">
                {s.current ? "This device" : `Last active ${new Date(s.lastActiveAt).toLocaleString()}`}
              </span>
            </span>
            {!s.current && (
              <button
                type="button"
                class="btn btn-small"
                aria-label={`Sign out ${s.device}, last active ${new Date(s.lastActiveAt).toLocaleString()}`}
                onClick={() => end(controller.api.endSession(s.id))}
              >
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <button type="button" class="btn btn-text danger" onClick={() => end(controller.api.endOtherSessions())}>
          Sign out all other devices
        </button>
      )}
    </section>
  );
}
