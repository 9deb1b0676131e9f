/**
 * Opened from an invite link (`/#invite=<token>`): the group's name, picture and member count, and
 * a Join button. The address is cleaned up once the dialog closes, so a reload does not ask again.
 */
import { useEffect, useState } from "preact/hooks";
import { inviteInAddress } from "../app/invite-actions.ts";
import { useController } from "../app/context.ts";
import type { InvitePreview } from "../lib/sdk.ts";
import { Avatar } from "./Avatar.tsx";
import { Dialog } from "./Dialog.tsx";

export function InviteDialog() {
  const controller = useController();
  const [token, setToken] = useState<string | null>(() => inviteInAddress(location.hash));
  const [preview, setPreview] = useState<InvitePreview | "gone" | null>(null);
  useEffect(() => {
    const onHash = () => setToken(inviteInAddress(location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    setPreview(null);
    if (token) void controller.invites.preview(token).then(setPreview);
  }, [controller, token]);
  if (!token || preview === null) return null;
  const close = () => {
    history.replaceState(null, "", location.pathname + location.search);
    setToken(null);
  };
  return (
    <Dialog title="Group invite" onClose={close}>
      {preview === "gone" ? (
        <p>This invite link doesn't work any more. Ask a group admin for a new one.</p>
      ) : (
        <div class="profile-hero">
          <Avatar name={preview.name} seed={token} group pictureUrl={preview.pictureUrl} size="xl" />
          <h3>{preview.name}</h3>
          <p class="muted">
            Group · {preview.memberCount} member{preview.memberCount === 1 ? "" : "s"}
          </p>
        </div>
      )}
      <div class="drawer-actions">
        <button type="button" class="btn" onClick={close}>
          {preview === "gone" ? "Close" : "Cancel"}
        </button>
        {preview !== "gone" && (
          <button
            type="button"
            class="btn btn-primary"
            onClick={() => void controller.invites.join(token).then((ok) => ok && close())}
          >
            Join group
          </button>
        )}
      </div>
    </Dialog>
  );
}
