/**
 * Writing a message: Enter sends, Shift+Enter is a new line, the character counter appears near the
 * text limit (`maxTextBytes`), the clip attaches a picture or video. Drafts are kept per chat while the app runs.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { utf8Bytes } from "../lib/format.ts";
import { lazyComponent } from "../lib/lazy-component.ts";
import { budgetText, charactersLeft } from "../lib/text-budget.ts";
import { MEDIA_TYPES } from "../lib/sdk.ts";
import { DocumentButton } from "./DocumentCard.tsx";
import { EmojiButton } from "./EmojiButton.tsx";
import { filesIn, insertAtCaret, useDroppedFiles } from "./composer-input.ts";
import { HiddenFileInput } from "./HiddenFileInput.tsx";
import { ReplyBar } from "./MessageExtras.tsx";
import { VoiceRecorderButton } from "./VoiceNote.tsx";
import { AttachIcon, SendIcon } from "./icons.tsx";

/** The counter shows once fewer than this many bytes are left. */
const COUNTER_WITHIN = 100;
const ACCEPT = MEDIA_TYPES.join(",");
const drafts = new Map<string, string>();
// The preview (and the file sniffer) load with the first file: most messages are text.
const AttachDialog = lazyComponent(() => import("./AttachDialog.tsx").then((m) => m.AttachDialog));

export function Composer({ id }: { id: string }) {
  const controller = useController();
  const maxBytes = useApp((s) => s.config.maxTextBytes);
  const [text, setText] = useState(drafts.get(id) ?? "");
  // Files to send, each previewed with its own caption in turn (picked, dropped or pasted).
  const [files, setFiles] = useState<File[]>([]);
  const file = files[0] ?? null;
  const addFiles = (more: File[]) => more.length > 0 && setFiles((queued) => [...queued, ...more]);
  const nextFile = () => setFiles((queued) => queued.slice(1));
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  useDroppedFiles(input, addFiles);

  useEffect(() => {
    setText(drafts.get(id) ?? "");
    // Ready to type on a computer; on a touch screen this would pop the keyboard over the chat.
    if (matchMedia("(pointer: fine)").matches) input.current?.focus();
  }, [id]);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  const body = text.trim();
  const bytes = utf8Bytes(body);
  const over = bytes > maxBytes;

  const update = (value: string) => {
    setText(value);
    drafts.set(id, value);
    if (value.trim()) controller.messages.typing(id);
    else controller.messages.stopTyping(id);
  };
  const send = () => {
    if (!body || over) return;
    controller.messages.sendText(id, body, controller.extras.takeReply(id));
    update("");
    controller.messages.stopTyping(id);
  };

  return (
    <>
      <ReplyBar conversationId={id} />
      <footer class="composer">
        <button
          type="button"
          class="icon-btn"
          aria-label="Attach a photo or video"
          title="Attach"
          onClick={() => picker.current?.click()}
        >
          <AttachIcon />
        </button>
        <EmojiButton onPick={(emoji) => insertAtCaret(input.current, text, emoji, update)} />
        <HiddenFileInput inputRef={picker} accept={ACCEPT} multiple onFile={(f) => addFiles([f])} />
        <DocumentButton conversationId={id} />
        <VoiceRecorderButton conversationId={id} />
        <div class="composer-field">
          <textarea
            ref={input}
            rows={1}
            aria-label="Type a message"
            placeholder="Type a message"
            dir="auto"
            value={text}
            onInput={(e) => update(e.currentTarget.value)}
            onPaste={(e) => {
              const pasted = filesIn(e.clipboardData);
              if (pasted.length === 0) return; // text pastes as usual
              e.preventDefault();
              addFiles(pasted);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                send();
              }
            }}
            aria-describedby={bytes >= maxBytes - COUNTER_WITHIN ? `counter-${id}` : undefined}
            aria-invalid={over}
          />
          {bytes >= maxBytes - COUNTER_WITHIN && (
            <span id={`counter-${id}`} class={`byte-counter ${over ? "over" : ""}`} aria-live="polite">
              {budgetText(charactersLeft(body, maxBytes))}
            </span>
          )}
        </div>
        <button
          type="button"
          class="icon-btn send"
          aria-label="Send"
          title="Send (Enter)"
          disabled={!body || over}
          onClick={send}
        >
          <SendIcon />
        </button>
        {file && (
          <AttachDialog
            file={file}
            key={files.length}
            onClose={nextFile}
            onSend={(caption, typed) => {
              nextFile();
              void controller.messages.sendMedia(id, typed, caption);
            }}
          />
        )}
      </footer>
    </>
  );
}
