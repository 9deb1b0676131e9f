/** The ⌄ menu on a message: info, delete for me, delete for everyone. Arrow keys move, Escape closes. */
import { useEffect, useRef, useState } from "preact/hooks";
import { ChevronDownIcon } from "./icons.tsx";

export interface MenuItem {
  label: string;
  danger?: boolean;
  run(): void;
}

export function MessageMenu({ items, align }: { items: MenuItem[]; align: "left" | "right" }) {
  const [open, setOpen] = useState(false);
  const [up, setUp] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

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
        aria-label="Message options"
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
          aria-label="Message options"
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
