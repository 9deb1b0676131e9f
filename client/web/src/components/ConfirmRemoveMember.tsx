/** "Remove Bob from the group?": removing someone is one more deliberate click, Cancel focused. */
import { Dialog } from "./Dialog.tsx";

export interface ConfirmRemoveMemberProps {
  name: string;
  group: string;
  onClose(): void;
  onRemove(): void;
}

export function ConfirmRemoveMember({ name, group, onClose, onRemove }: ConfirmRemoveMemberProps) {
  const title = `Remove ${name} from “${group}”?`;
  return (
    <Dialog title={title} onClose={onClose} class="confirm">
      <h2>{title}</h2>
      <p class="muted">They will no longer receive the group's messages.</p>
      <div class="dialog-actions">
        <button type="button" class="btn btn-text" autofocus onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="btn btn-text danger" onClick={onRemove}>
          Remove
        </button>
      </div>
    </Dialog>
  );
}
