/**
 * A refused send keeps its bubble across a reload: the sends the server or the upload refused (with
 * their files) are kept in IndexedDB until discarded, and shown again at start, where Retry and
 * Discard work as before. Sends that are only waiting are the SDK outbox's business, not this.
 */
import type { IndexedDbStore, StoredFailedSend } from "../lib/idb-store.ts";
import type { Store } from "../lib/tiny-store.ts";
import type { AppState, LocalSend } from "../state/types.ts";

function stored(p: LocalSend & { error: string }): StoredFailedSend {
  const { file, progress: _progress, ...rest } = p;
  return file?.blob ? { ...rest, file: { name: file.name, type: file.type, blob: file.blob } } : rest;
}

function shown(f: StoredFailedSend): LocalSend {
  const { file, ...rest } = f;
  return file
    ? { ...rest, file: { name: file.name, type: file.type, blob: file.blob, url: URL.createObjectURL(file.blob) } }
    : rest;
}

/** Puts the kept refusals back on their bubbles (before the first render of a chat). */
export async function restoreFailedSends(idb: IndexedDbStore, store: Store<AppState>): Promise<void> {
  const saved = await idb.loadFailedSends().catch(() => []);
  if (saved.length === 0) return;
  store.set((s) => {
    const known = new Set(s.local.map((p) => p.clientId));
    return { ...s, local: [...s.local, ...saved.filter((f) => !known.has(f.clientId)).map(shown)] };
  });
}

/** Keeps the refused sends in IndexedDB whenever the set of them changes. Returns a cleanup. */
export function keepFailedSends(idb: IndexedDbStore, store: Store<AppState>): () => void {
  let saved = "";
  return store.subscribe(() => {
    const failed = store.get().local.filter((p): p is LocalSend & { error: string } => p.error !== undefined);
    const key = failed.map((p) => `${p.clientId}:${p.error}`).join("\n");
    if (key === saved) return;
    saved = key;
    void idb.saveFailedSends(failed.map(stored)).catch(() => undefined);
  });
}
