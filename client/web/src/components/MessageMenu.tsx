/**
 * A ⌄ menu: on a message (info, reply, delete…) and on a chat-list row (mute, pin, archive…). Arrow
 * keys move, Escape closes and returns focus to the button.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ChevronDownIcon } from "./icons.tsx";

export interface MenuItem {
  label: string;
  danger?: boolean;
  run(): void;
}

export interface MessageMenuProps {
  items: MenuItem[];
  align: "left" | "right";
  /** What the button and the menu are called (read by screen readers). */
  label?: string;
  /** Set to open the menu from outside (a right click or the context-menu key on the row). */
  openSignal?: number;
}

export function MessageMenu({ items, align, label = "Message options", openSignal = 0 }: MessageMenuProps) {
  const [open, setOpen] = useState(false);
  const [up, setUp] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (openSignal > 0) setOpen(true);
  }, [openSignal]);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>("[role=menuitem]")?.focus();
    const outside = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const entries = [...(menu.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]") ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      entries[(at + step + entries.length) % entries.length]?.focus();
    } else if (e.key === "Tab") {
      setOpen(false);
    }
  };

  if (items.length === 0) return null;
  return (
    <div class="message-menu">
      <button
        ref={button}
        type="button"
        class="message-menu-button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => {
          // Near the bottom of the chat the menu opens upwards, so it is never cut off.
          const rect = button.current?.getBoundingClientRect();
          const bottom = button.current?.closest("[role=log]")?.getBoundingClientRect().bottom ?? window.innerHeight;
          setUp(rect !== undefined && bottom - rect.bottom < 48 * items.length + 24);
          setOpen(!open);
        }}
      >
        <ChevronDownIcon />
      </button>
      {open && (
        <div
          ref={menu}
          class={`menu menu-${align} ${up ? "menu-up" : ""}`}
          role="menu"
          aria-label={label}
          onKeyDown={onKeyDown}
        >
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              class={item.danger ? "danger" : ""}
              onClick={() => {
                close();
                item.run();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
