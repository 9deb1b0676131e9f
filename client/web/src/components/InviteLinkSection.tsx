/** Group info, for admins: the group's invite link — make it, copy it, reset it or revoke it. */
import { useState } from "preact/hooks";
import { useController } from "../app/context.ts";

export function InviteLinkSection({ id }: { id: string }) {
  const controller = useController();
  const [url, setUrl] = useState<string | null>(null);
  const make = async () => {
    const invite = await controller.invites.create(id);
    if (invite) setUrl(invite.url);
  };
  return (
    <section class="info-section" aria-labelledby="invite-title">
      <h4 id="invite-title">Invite link</h4>
      {url === null ? (
        <button type="button" class="btn btn-text" onClick={() => void make()}>
          Create invite link
        </button>
      ) : (
        <>
          <input
            class="text-input"
            readOnly
            aria-label="Invite link"
            value={url}
            onFocus={(e) => e.currentTarget.select()}
          />
          <span class="field-row">
            <button type="button" class="btn btn-small" onClick={() => void make()}>
              Reset link
            </button>
            <button
              type="button"
              class="btn btn-small danger"
              onClick={() => void controller.invites.revoke(id).then((ok) => ok && setUrl(null))}
            >
              Revoke link
            </button>
          </span>
          <p class="muted small">
            Anyone with this link can join the group. Reset it to make the old one stop working.
          </p>
        </>
      )}
    </section>
  );
}
