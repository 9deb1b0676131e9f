/** Message info: when each recipient got and read one of my messages. Refreshes as receipts change. */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { dayLabel, previewText, timeOfDay } from "../lib/format.ts";
import type { MessageStatus } from "../lib/sdk.ts";
import { nameOf } from "../state/selectors.ts";
import { Avatar } from "./Avatar.tsx";
import { CloseIcon, DoubleCheckIcon } from "./icons.tsx";
import { ReactionsSection } from "./MessageExtras.tsx";
import { usePanelFocus } from "./use-panel-focus.ts";

type RecipientStatus = MessageStatus["recipients"][number];

function when(iso: string): string {
  return `${dayLabel(iso)} at ${timeOfDay(iso)}`;
}

function Recipient({ r, field }: { r: RecipientStatus; field: "readAt" | "deliveredAt" }) {
  const user = useApp((s) => s.users[r.userId]);
  const at = r[field];
  return (
    <li class="member-row">
      <Avatar name={user?.displayName ?? "?"} seed={r.userId} pictureUrl={user?.pictureUrl} size="sm" />
      <span class="member-text">
        <span class="member-name">{user?.displayName ?? "…"}</span>
        <span class="muted">{at ? when(at) : "Not yet"}</span>
      </span>
    </li>
  );
}

export function MessageInfoPanel({ id, seq }: { id: string; seq: number }) {
  const panel = useRef<HTMLElement>(null);
  usePanelFocus(panel);
  const controller = useController();
  const receipts = useApp((s) => s.receipts[id]);
  const message = useApp((s) => s.threads[id]?.items.find((m) => m.seq === seq));
  const [status, setStatus] = useState<MessageStatus | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    controller.api.messageStatus(id, seq).then(
      (s) => live && (setStatus(s), setFailed(false)),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [controller, id, seq, receipts]);
  useEffect(() => {
    if (status) controller.ensureUsers(status.recipients.map((r) => r.userId));
  }, [controller, status]);

  const read = status?.recipients.filter((r) => r.readAt) ?? [];
  const delivered = status?.recipients.filter((r) => !r.readAt && r.deliveredAt) ?? [];
  const waiting = status?.recipients.filter((r) => !r.readAt && !r.deliveredAt) ?? [];
  return (
    <section ref={panel} class="drawer" aria-label="Message info">
      <header class="drawer-header">
        <button type="button" class="icon-btn" aria-label="Close" onClick={() => controller.setRightPanel(null)}>
          <CloseIcon />
        </button>
        <h2>Message info</h2>
      </header>
      <div class="drawer-body">
        {message && (
          <div class="info-message">
            <p class="bubble out">{previewText(message, (u) => nameOf(controller.store.get(), u))}</p>
          </div>
        )}
        {message && <ReactionsSection message={message} />}
        {failed && <p class="form-error">Couldn't load the message info.</p>}
        {status && (
          <>
            <section class="info-section" aria-labelledby="read-by">
              <h4 id="read-by">
                <DoubleCheckIcon class="read" /> Read by
              </h4>
              {read.length === 0 ? (
                <p class="muted">No one yet</p>
              ) : (
                <ul class="member-list">
                  {read.map((r) => (
                    <Recipient key={r.userId} r={r} field="readAt" />
                  ))}
                </ul>
              )}
            </section>
            <section class="info-section" aria-labelledby="delivered-to">
              <h4 id="delivered-to">
                <DoubleCheckIcon /> Delivered to
              </h4>
              {delivered.length === 0 ? (
                <p class="muted">{read.length > 0 && waiting.length === 0 ? "Everyone has read it" : "No one yet"}</p>
              ) : (
                <ul class="member-list">
                  {delivered.map((r) => (
                    <Recipient key={r.userId} r={r} field="deliveredAt" />
                  ))}
                </ul>
              )}
            </section>
            {waiting.length > 0 && (
              <section class="info-section" aria-labelledby="waiting">
                <h4 id="waiting">Not delivered yet</h4>
                <ul class="member-list">
                  {waiting.map((r) => (
                    <Recipient key={r.userId} r={r} field="deliveredAt" />
                  ))}
                </ul>
              </section>
            )}
          </>
        )}
      </div>
    </section>
  );
}
