/**
 * Contact info: report this person. The server keeps the chat's latest messages as I see them, for
 * an operator (README "Reports"); blocking is offered in the same step, ticked by default, as
 * WhatsApp does.
 */
import { useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";

const REASONS = ["Spam", "Harassment or bullying", "Inappropriate content", "Something else"] as const;

export function ReportContact({ userId, name }: { userId: string; name: string }) {
  const controller = useController();
  const chatId = useApp((s) => Object.values(s.chats).find((c) => c.type === "direct" && c.peerId === userId)?.id);
  const alreadyBlocked = useApp((s) => Boolean(s.blocked[userId]));
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<string>(REASONS[0]);
  const [alsoBlock, setAlsoBlock] = useState(true);
  const [status, setStatus] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await controller.api.report({ userId, ...(chatId ? { conversationId: chatId } : {}), reason });
      if (alsoBlock && !alreadyBlocked) await controller.blocks.set(userId, true);
      setOpen(false);
      setStatus(alsoBlock && !alreadyBlocked ? `Reported and blocked ${name}.` : `Reported ${name}.`);
    } catch {
      setStatus("Couldn't send the report. Try again later.");
    }
  };
  return (
    <section class="info-section" aria-label={`Report ${name}`}>
      {!open && (
        <button type="button" class="btn btn-text danger" onClick={() => setOpen(true)}>
          Report {name}
        </button>
      )}
      {open && (
        <form onSubmit={(e) => void submit(e)}>
          <p class="muted small">The last messages of this chat are sent with the report. {name} is not told.</p>
          <label class="field">
            Reason
            <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          {!alreadyBlocked && (
            <label class="field">
              <span class="field-row">
                <input type="checkbox" checked={alsoBlock} onChange={(e) => setAlsoBlock(e.currentTarget.checked)} />
                Also block {name}
              </span>
            </label>
          )}
          <div class="dialog-actions">
            <button type="button" class="btn btn-text" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" class="btn btn-primary btn-small danger">
              Report
            </button>
          </div>
        </form>
      )}
      {status && (
        <p class="muted small" role="status">
          {status}
        </p>
      )}
    </section>
  );
}
