/**
 * The file input behind a visible button (the attach clip, an avatar): the button opens it through
 * `inputRef`, so the input itself stays out of the tab order and the accessibility tree.
 */
import type { RefObject } from "preact";

export function HiddenFileInput(props: {
  inputRef: RefObject<HTMLInputElement | null>;
  accept: string;
  onFile(file: File): void;
  /** Several files at once: `onFile` is called for each, in order. */
  multiple?: boolean;
}) {
  return (
    <input
      ref={props.inputRef}
      type="file"
      accept={props.accept}
      multiple={props.multiple}
      class="visually-hidden"
      tabIndex={-1}
      aria-hidden="true"
      onChange={(e) => {
        const files = [...(e.currentTarget.files ?? [])];
        // Cleared at once so choosing the same file again still fires a change.
        e.currentTarget.value = "";
        for (const file of props.multiple ? files : files.slice(0, 1)) props.onFile(file);
      }}
    />
  );
}
