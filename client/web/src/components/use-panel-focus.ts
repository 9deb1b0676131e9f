/**
 * A side panel takes focus when it opens (its first control, unless a control inside already took
 * it), so a keyboard or screen reader user lands in it, and gives focus back to whatever opened it
 * when it closes (Escape, its close button). `ref` is the panel's root element.
 */
import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), textarea, select, a[href], [tabindex="0"]';

export function usePanelFocus(ref: RefObject<HTMLElement | null>): void {
  // Read while rendering the panel for the first time: the control that opened it still has focus.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(() => {
    const panel = ref.current;
    if (panel && !panel.contains(document.activeElement)) panel.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => {
      // Back where the user was, if that control is still on screen and focus did not move elsewhere.
      const active = document.activeElement;
      const lost = !active || active === document.body || (panel?.contains(active) ?? false);
      if (opener?.isConnected && lost) opener.focus();
    };
  }, []);
}
