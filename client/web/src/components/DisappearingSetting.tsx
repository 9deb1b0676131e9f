/**
 * Chat info: the disappearing-messages timer (off, 24 hours, 7 days, 90 days). Any member of a direct
 * chat may change it, only admins in a group; everyone else sees it read-only.
 */
import { useApp, useController } from "../app/context.ts";
import { timerLabel } from "../lib/format.ts";
import { DISAPPEARING_TIMERS } from "../lib/sdk.ts";
import { ClockIcon } from "./icons.tsx";

export function DisappearingSetting({ id, mayChange }: { id: string; mayChange: boolean }) {
  const controller = useController();
  const seconds = useApp((s) => s.details[id]?.disappearingSeconds ?? 0);
  return (
    <section class="info-section" aria-labelledby="disappearing-title">
      <h4 id="disappearing-title">
        <ClockIcon class="disappearing-icon" /> Disappearing messages
      </h4>
      {mayChange ? (
        <label class="field">
          <span class="muted small">New messages disappear after</span>
          <select
            class="text-input"
            aria-label="Disappearing messages"
            value={String(seconds)}
            onChange={(e) =>
              void controller.groupSettings.update(id, { disappearingSeconds: Number(e.currentTarget.value) })
            }
          >
            {DISAPPEARING_TIMERS.map((t) => (
              <option key={t} value={String(t)}>
                {timerLabel(t)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p>{timerLabel(seconds)}</p>
      )}
    </section>
  );
}
