/**
 * Documents: the card in a bubble (name, size, Download) and the composer's "Attach a document"
 * button. A document is never shown inline: Download fetches it with the token and saves it
 * under its own name from a blob URL (the server also sends it as an attachment).
 */
import { useRef, useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import { fileSize } from "../lib/format.ts";
import { fetchMedia } from "../lib/media.ts";
import { HiddenFileInput } from "./HiddenFileInput.tsx";

export function DocumentCard({ name, size, url }: { name: string; size?: number; url?: string }) {
  const controller = useController();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (!url) return;
    setBusy(true);
    try {
      const res = await fetchMedia(url);
      if (!res.ok) throw new Error(String(res.status));
      const blobUrl = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = blobUrl;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
    } catch {
      controller.toast("Couldn't download the document");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="document-card">
      <span class="document-icon" aria-hidden="true">
        📄
      </span>
      <span class="document-meta">
        <span class="document-name">{name}</span>
        {size !== undefined && <span class="document-size">{fileSize(size)}</span>}
      </span>
      {url && (
        <button type="button" class="btn btn-text" disabled={busy} aria-label={`Download ${name}`} onClick={save}>
          Download
        </button>
      )}
    </div>
  );
}

/** The composer's paper-clip twin: any file, sent as a document. */
export function DocumentButton({ conversationId }: { conversationId: string }) {
  const controller = useController();
  const picker = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class="icon-btn"
        aria-label="Attach a document"
        title="Document"
        onClick={() => picker.current?.click()}
      >
        <span aria-hidden="true">📄</span>
      </button>
      <HiddenFileInput
        inputRef={picker}
        accept="*/*"
        onFile={(file) => void controller.messages.sendMedia(conversationId, file, "", true)}
      />
    </>
  );
}
