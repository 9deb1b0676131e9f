/**
 * Contact info: block or unblock this person. Blocked, what they send me is never delivered, they
 * cannot add me to groups and see neither my online status nor my profile changes.
 */
import { useApp, useController } from "../app/context.ts";

export function BlockToggle({ userId, name }: { userId: string; name: string }) {
  const controller = useController();
  const blocked = useApp((s) => Boolean(s.blocked[userId]));
  return (
    <section class="info-section">
      <button
        type="button"
        class={blocked ? "btn btn-text" : "btn btn-text danger"}
        onClick={() => void controller.blocks.set(userId, !blocked)}
      >
        {blocked ? `Unblock ${name}` : `Block ${name}`}
      </button>
      {!blocked && (
        <p class="muted small">They won't be able to reach you here, see your online status or add you to groups.</p>
      )}
    </section>
  );
}
