/**
 * What reaches the composer besides typing: files dropped on the chat or pasted into the box, and
 * emoji inserted where the caret is.
 */
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** The files of a paste or a drop (pictures copied from another page arrive as files too). */
export function filesIn(data: DataTransfer | null): File[] {
  return data ? [...data.files] : [];
}

/** Inserts `piece` at the caret of `box` (or at the end), then puts the caret after it. */
export function insertAtCaret(
  box: HTMLTextAreaElement | null,
  text: string,
  piece: string,
  update: (value: string) => void,
): void {
  const start = box?.selectionStart ?? text.length;
  const end = box?.selectionEnd ?? text.length;
  update(text.slice(0, start) + piece + text.slice(end));
  requestAnimationFrame(() => {
    if (!box) return;
    box.focus();
    box.setSelectionRange(start + piece.length, start + piece.length);
  });
}

/**
 * Files dragged over the open chat (the `.conversation` around `inside`): the chat shows a drop
 * hint, and a drop hands the files to `onFiles`.
 */
export function useDroppedFiles(inside: RefObject<HTMLElement | null>, onFiles: (files: File[]) => void): void {
  useEffect(() => {
    const zone = inside.current?.closest<HTMLElement>(".conversation");
    if (!zone) return;
    const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // allows the drop
      zone.classList.add("dropping");
    };
    const leave = (e: DragEvent) => {
      if (!zone.contains(e.relatedTarget as Node | null)) zone.classList.remove("dropping");
    };
    const drop = (e: DragEvent) => {
      zone.classList.remove("dropping");
      if (!carriesFiles(e)) return;
      e.preventDefault(); // not opened by the browser in place of the app
      onFiles(filesIn(e.dataTransfer));
    };
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", leave);
    zone.addEventListener("drop", drop);
    return () => {
      zone.removeEventListener("dragover", over);
      zone.removeEventListener("dragleave", leave);
      zone.removeEventListener("drop", drop);
    };
  }, [inside.current]);
}
