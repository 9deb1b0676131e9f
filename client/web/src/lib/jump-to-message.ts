/**
 * Scrolls the open chat to message `seq` and highlights it for a moment (a search result clicked).
 * The bubble must be rendered: search only offers loaded messages.
 */
const HIGHLIGHT_MS = 2_000;

export function jumpToMessage(seq: number): boolean {
  const row = document.querySelector<HTMLElement>(`[role="log"] li[data-seq="${seq}"]`);
  if (!row) return false;
  row.scrollIntoView({ block: "center" });
  row.classList.add("highlight");
  setTimeout(() => row.classList.remove("highlight"), HIGHLIGHT_MS);
  return true;
}
