/** The preview before sending a picture or video, with an optional caption. */
import { useEffect, useMemo, useState } from "preact/hooks";
import { useApp } from "../app/context.ts";
import { fileSize, sizeLimit, utf8Bytes } from "../lib/format.ts";
import { asSendableMedia } from "../lib/file-type.ts";
import { isMediaType } from "../lib/sdk.ts";
import { Dialog } from "./Dialog.tsx";
import { CloseIcon, SendIcon } from "./icons.tsx";

export interface AttachDialogProps {
  file: File;
  onClose(): void;
  /** `file` is the chosen one typed by its bytes (see lib/file-type.ts). */
  onSend(caption: string, file: File): void;
}

export function AttachDialog({ file: chosen, onClose, onSend }: AttachDialogProps) {
  const { maxMediaBytes, maxTextBytes } = useApp((s) => s.config);
  const [caption, setCaption] = useState("");
  // undefined while the first bytes are read; null when they are no picture or video.
  const [sniffed, setSniffed] = useState<File | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void asSendableMedia(chosen).then(
      (f) => live && setSniffed(f),
      () => live && setSniffed(null),
    );
    return () => void (live = false);
  }, [chosen]);
  const file = sniffed ?? chosen;
  const url = useMemo(() => (sniffed ? URL.createObjectURL(sniffed) : null), [sniffed]);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const video = file.type.startsWith("video/");
  const problem = !isMediaType(file.type)
    ? "This file type can't be sent. Choose a JPEG, PNG, GIF, WebP, MP4, WebM or MOV file."
    : sniffed === null
      ? `“${chosen.name}” is not really a picture or video, so it can't be sent.`
      : file.size > maxMediaBytes
        ? `This file is ${fileSize(file.size)}. The limit is ${sizeLimit(maxMediaBytes)}.`
        : utf8Bytes(caption.trim()) > maxTextBytes
          ? `The caption is longer than ${sizeLimit(maxTextBytes)}.`
          : null;
  const send = () => !problem && sniffed && onSend(caption, sniffed);
  const title = video ? "Send video" : "Send photo";
  return (
    <Dialog title={title} onClose={onClose} class="attach">
      <header class="dialog-header">
        <button type="button" class="icon-btn" aria-label="Cancel" onClick={onClose}>
          <CloseIcon />
        </button>
        <h2>{title}</h2>
      </header>
      <div class="attach-preview">
        {url === null ? null : video ? (
          <video src={url} controls aria-label="Video preview" />
        ) : (
          <img src={url} alt="Preview of the photo to send" />
        )}
      </div>
      <p class="attach-file muted">
        {file.name} · {fileSize(file.size)}
      </p>
      {problem && (
        <p class="form-error" id="attach-problem" role="alert">
          {problem}
        </p>
      )}
      <div class="attach-caption">
        <input
          aria-label="Add a caption"
          placeholder="Add a caption"
          aria-describedby={problem ? "attach-problem" : undefined}
          dir="auto"
          value={caption}
          onInput={(e) => setCaption(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              send();
            }
          }}
        />
        <button
          type="button"
          class="icon-btn send"
          aria-label="Send"
          disabled={problem !== null || !sniffed}
          onClick={send}
        >
          <SendIcon />
        </button>
      </div>
    </Dialog>
  );
}
