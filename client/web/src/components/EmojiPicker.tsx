/**
 * The emoji picker: recent emoji first, then groups, and a search box that finds emoji by their
 * words ("heart", "laugh"). Loaded on first use (EmojiButton imports it), with its data, so the
 * first load of the app does not carry it. Escape or a click outside closes it.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { EMOJI_GROUPS } from "../lib/emoji-data.ts";
import { recentEmoji, rememberEmoji } from "../lib/recent-emoji.ts";

export interface EmojiPickerProps {
  onPick(emoji: string): void;
  onClose(): void;
}

/** "😀 grin smile" → ["😀", "grin smile"]. */
function split(entry: string): [string, string] {
  const at = entry.indexOf(" ");
  return [entry.slice(0, at), entry.slice(at + 1)];
}

function EmojiGrid({
  label,
  emoji,
  onPick,
}: {
  label: string;
  emoji: Array<[string, string]>;
  onPick(e: string): void;
}) {
  if (emoji.length === 0) return null;
  return (
    <section class="emoji-group" aria-label={label}>
      <h3 class="emoji-group-title">{label}</h3>
      <div class="emoji-grid">
        {emoji.map(([e, words]) => (
          <button
            key={e}
            type="button"
            class="emoji"
            aria-label={words.split(" ")[0] ?? e}
            title={words}
            onClick={() => onPick(e)}
          >
            {e}
          </button>
        ))}
      </div>
    </section>
  );
}

export default function EmojiPicker({ onPick, onClose }: EmojiPickerProps) {
  const [query, setQuery] = useState("");
  const [recent] = useState(recentEmoji);
  const root = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    search.current?.focus();
    const outside = (e: PointerEvent) => {
      const target = e.target as Element | null;
      if (!root.current?.contains(target) && !target?.closest(".emoji-toggle")) onClose();
    };
    // Escape anywhere (the caret is usually in the message box) closes the picker first, not the chat:
    // a capturing listener runs before the app's own Escape handling.
    const escape = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      onClose();
    };
    document.addEventListener("pointerdown", outside);
    document.addEventListener("keydown", escape, true);
    return () => {
      document.removeEventListener("pointerdown", outside);
      document.removeEventListener("keydown", escape, true);
    };
  }, []);
  const all = useMemo(() => EMOJI_GROUPS.flatMap((g) => g.entries.map(split)), []);
  const needle = query.trim().toLowerCase();
  const found = needle ? all.filter(([, words]) => words.split(" ").some((w) => w.startsWith(needle))) : [];
  const pick = (e: string) => {
    rememberEmoji(e);
    onPick(e);
  };
  const wordsOf = new Map(all);
  return (
    <div ref={root} class="emoji-picker" role="dialog" aria-label="Emoji">
      <input
        ref={search}
        type="search"
        class="emoji-search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      <div class="emoji-scroll">
        {needle ? (
          found.length > 0 ? (
            <EmojiGrid label="Results" emoji={found} onPick={pick} />
          ) : (
            <p class="muted pad">No emoji for “{query.trim()}”.</p>
          )
        ) : (
          <>
            <EmojiGrid label="Recent" emoji={recent.map((e) => [e, wordsOf.get(e) ?? e])} onPick={pick} />
            {EMOJI_GROUPS.map((g) => (
              <EmojiGrid key={g.name} label={g.name} emoji={g.entries.map(split)} onPick={pick} />
            ))}
          </>
        )}
      </div>
    </div>
  );
}
