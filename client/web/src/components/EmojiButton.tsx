/**
 * The composer's emoji button. The picker and its data are a separate chunk, fetched on the first
 * click (dynamic import), so the app's first load stays small.
 */
import type { ComponentType } from "preact";
import { useState } from "preact/hooks";
import type { EmojiPickerProps } from "./EmojiPicker.tsx";
import { EmojiIcon } from "./icons.tsx";

let loaded: ComponentType<EmojiPickerProps> | null = null;

export function EmojiButton({ onPick }: { onPick(emoji: string): void }) {
  const [open, setOpen] = useState(false);
  const [Picker, setPicker] = useState<ComponentType<EmojiPickerProps> | null>(() => loaded);
  const toggle = () => {
    if (open) return setOpen(false);
    setOpen(true);
    if (!Picker)
      void import("./EmojiPicker.tsx").then(
        (m) => {
          loaded = m.default;
          setPicker(() => m.default);
        },
        () => setOpen(false), // offline before it was ever loaded: the button just does nothing
      );
  };
  return (
    <>
      <button
        type="button"
        class="icon-btn emoji-toggle"
        aria-label="Emoji"
        title="Emoji"
        aria-expanded={open}
        aria-haspopup="dialog"
        onClick={toggle}
      >
        <EmojiIcon />
      </button>
      {open && Picker && <Picker onPick={onPick} onClose={() => setOpen(false)} />}
    </>
  );
}
