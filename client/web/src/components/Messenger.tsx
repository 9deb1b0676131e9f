/**
 * The logged-in layout: chat list | conversation | info panel on wide screens; one at a time on
 * phones (the CSS switches on the `chat-open` / `panel-open` classes).
 */
import { useEffect } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { lazyComponent } from "../lib/lazy-component.ts";
import { ConversationPane } from "./ConversationPane.tsx";
import { InfoPanel } from "./InfoPanel.tsx";
import { InviteDialog } from "./InviteDialog.tsx";
import { MediaViewer } from "./MediaViewer.tsx";
import { MessageInfoPanel } from "./MessageInfoPanel.tsx";
import { NewGroupPanel } from "./NewGroupPanel.tsx";
import { NotificationBanner } from "./NotificationBanner.tsx";
import { OfflineBanner } from "./OfflineBanner.tsx";
import { ProfilePanel } from "./ProfilePanel.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { Toast } from "./Toast.tsx";

// Fetched when first opened: most visits never search.
const ChatSearchPanel = lazyComponent(() => import("./ChatSearchPanel.tsx").then((m) => m.ChatSearchPanel));

export function Messenger() {
  const controller = useController();
  const activeChatId = useApp((s) => s.activeChatId);
  const left = useApp((s) => s.leftPanel);
  const right = useApp((s) => s.rightPanel);
  const panel = activeChatId && right;
  // Escape closes the innermost open pane, the chat last (dialogs and menus handle their own Escape first).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
      const s = controller.store.get();
      if (s.rightPanel) controller.setRightPanel(null);
      else if (s.leftPanel) controller.setLeftPanel(null);
      else if (s.activeChatId) controller.openChat(null);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [controller]);
  return (
    <div class={`app ${activeChatId ? "chat-open" : ""} ${panel ? "panel-open" : ""}`}>
      <OfflineBanner />
      <NotificationBanner />
      <div class="shell">
        <aside class="sidebar" aria-label="Chats">
          {left === "profile" ? <ProfilePanel /> : left === "new-group" ? <NewGroupPanel /> : <Sidebar />}
        </aside>
        <main class="main">
          <ConversationPane />
        </main>
        {panel && activeChatId && (
          <aside class="details">
            {right.kind === "info" ? (
              <InfoPanel id={activeChatId} />
            ) : right.kind === "search" ? (
              <ChatSearchPanel id={activeChatId} />
            ) : (
              <MessageInfoPanel id={activeChatId} seq={right.seq} />
            )}
          </aside>
        )}
      </div>
      <MediaViewer />
      <InviteDialog />
      <Toast />
    </div>
  );
}
