/** "Delete message?" with the choices WhatsApp users know: for everyone (my messages) or for me. */
import { Dialog } from "./Dialog.tsx";

export interface ConfirmDeleteProps {
  canDeleteForEveryone: boolean;
  onClose(): void;
  onDelete(scope: "me" | "everyone"): void;
}

export function ConfirmDelete({ canDeleteForEveryone, onClose, onDelete }: ConfirmDeleteProps) {
  return (
    <Dialog title="Delete message?" onClose={onClose} class="confirm">
      <h2>Delete message?</h2>
      <div class="dialog-actions vertical">
        {canDeleteForEveryone && (
          <button type="button" class="btn btn-text" onClick={() => onDelete("everyone")}>
            Delete for everyone
          </button>
        )}
        <button type="button" class="btn btn-text" onClick={() => onDelete("me")}>
          Delete for me
        </button>
        {/* The safe choice has focus, so Enter (or a stray tap) never deletes for everyone. */}
        <button type="button" class="btn btn-text muted" autofocus onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
