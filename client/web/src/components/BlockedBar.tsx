/** In place of the composer while I block the other person of a direct chat: sending needs an unblock. */
import { useController } from "../app/context.ts";

export function BlockedBar({ userId }: { userId: string }) {
  const controller = useController();
  return (
    <p class="read-only-note" role="status">
      You blocked this contact.{" "}
      <button type="button" class="btn btn-text" onClick={() => void controller.blocks.set(userId, false)}>
        Unblock
      </button>
    </p>
  );
}
