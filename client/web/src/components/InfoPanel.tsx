/** Contact info (a direct chat) or group info: members, roles, admin actions, leaving. */
import { useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { presenceText } from "../lib/format.ts";
import { MAX_DISPLAY_NAME_CHARS, type Member, type User } from "../lib/sdk.ts";
import { chatTitle } from "../state/selectors.ts";
import { Avatar } from "./Avatar.tsx";
import { BlockToggle } from "./BlockToggle.tsx";
import { DisappearingSetting } from "./DisappearingSetting.tsx";
import { ReportContact } from "./ReportContact.tsx";
import { GroupSettings } from "./GroupSettings.tsx";
import { ConfirmRemoveMember } from "./ConfirmRemoveMember.tsx";
import { CloseIcon } from "./icons.tsx";
import { PictureUpload } from "./PictureUpload.tsx";
import { UserPicker } from "./UserPicker.tsx";
import { usePanelFocus } from "./use-panel-focus.ts";

function PanelHeader({ title }: { title: string }) {
  const controller = useController();
  return (
    <header class="drawer-header">
      <button type="button" class="icon-btn" aria-label="Close" onClick={() => controller.setRightPanel(null)}>
        <CloseIcon />
      </button>
      <h2>{title}</h2>
    </header>
  );
}

function ContactInfo({ userId, conversationId }: { userId: string; conversationId: string }) {
  const active = useApp((s) => s.chats[conversationId]?.active !== false);
  const user = useApp((s) => s.users[userId]);
  const presence = useApp((s) => s.presence[userId]);
  if (!user) return null;
  return (
    <div class="drawer-body">
      <div class="profile-hero">
        <Avatar name={user.displayName} seed={user.id} pictureUrl={user.pictureUrl} size="xl" />
        <h3>{user.displayName}</h3>
        {/* A deleted account has no username any more. */}
        {user.username && <p class="muted">@{user.username}</p>}
        {presenceText(presence) && <p class="muted">{presenceText(presence)}</p>}
      </div>
      <section class="info-section">
        <h4>About</h4>
        <p>{user.about || "Hey there! I'm using Edge Messenger."}</p>
      </section>
      <DisappearingSetting id={conversationId} mayChange={active} />
      <BlockToggle userId={user.id} name={user.displayName} />
      <ReportContact userId={user.id} name={user.displayName} />
    </div>
  );
}

function MemberRow({ conversationId, member, amAdmin }: { conversationId: string; member: Member; amAdmin: boolean }) {
  const controller = useController();
  const user = useApp((s) => s.users[member.userId]);
  const meId = useApp((s) => s.me.id);
  const group = useApp((s) => (s.chats[conversationId] ? chatTitle(s, s.chats[conversationId]) : ""));
  const [confirming, setConfirming] = useState(false);
  const me = member.userId === meId;
  const name = me ? "You" : (user?.displayName ?? "…");
  return (
    <li class="member-row">
      <Avatar name={user?.displayName ?? "?"} seed={member.userId} pictureUrl={user?.pictureUrl} />
      <span class="member-text">
        <span class="member-name">{name}</span>
        <span class="muted">{user ? `@${user.username}` : ""}</span>
      </span>
      {member.role === "admin" && <span class="role-badge">Group admin</span>}
      {amAdmin && !me && (
        <span class="member-actions">
          <button
            type="button"
            class="btn btn-small"
            aria-label={member.role === "admin" ? `Dismiss ${name} as admin` : `Make ${name} admin`}
            onClick={() =>
              void controller.groups.setRole(
                conversationId,
                member.userId,
                member.role === "admin" ? "member" : "admin",
              )
            }
          >
            {member.role === "admin" ? "Dismiss admin" : "Make admin"}
          </button>
          <button
            type="button"
            class="btn btn-small danger"
            aria-label={`Remove ${name}`}
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        </span>
      )}
      {confirming && (
        <ConfirmRemoveMember
          name={name}
          group={group}
          onClose={() => setConfirming(false)}
          onRemove={() => {
            setConfirming(false);
            void controller.groups.remove(conversationId, member.userId);
          }}
        />
      )}
    </li>
  );
}

function GroupInfo({ id }: { id: string }) {
  const controller = useController();
  const chat = useApp((s) => s.chats[id]);
  const details = useApp((s) => s.details[id]);
  const maxMembers = useApp((s) => s.config.maxGroupMembers);
  const meId = useApp((s) => s.me.id);
  const title = useApp((s) => (chat ? chatTitle(s, chat) : ""));
  const [adding, setAdding] = useState<User[] | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const members = details?.members ?? [];
  const amAdmin = chat?.active !== false && members.some((m) => m.userId === meId && m.role === "admin");
  const sorted = [...members].sort((a, b) =>
    a.userId === meId ? -1 : b.userId === meId ? 1 : a.role === b.role ? 0 : a.role === "admin" ? -1 : 1,
  );

  return (
    <div class="drawer-body">
      <div class="profile-hero">
        {amAdmin ? (
          <PictureUpload label="Change group photo" upload={(file) => controller.groups.setPicture(id, file)}>
            <Avatar name={title} seed={id} group pictureUrl={details?.pictureUrl} size="xl" />
          </PictureUpload>
        ) : (
          <Avatar name={title} seed={id} group pictureUrl={details?.pictureUrl} size="xl" />
        )}
        {renaming === null ? (
          <h3>
            {title}
            {amAdmin && (
              <button type="button" class="link small" onClick={() => setRenaming(title)}>
                Rename
              </button>
            )}
          </h3>
        ) : (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (renaming.trim())
                void controller.groups.rename(id, renaming.trim()).then((ok) => ok && setRenaming(null));
            }}
          >
            <input
              class="text-input"
              aria-label="Group name"
              maxLength={MAX_DISPLAY_NAME_CHARS}
              value={renaming}
              onInput={(e) => setRenaming(e.currentTarget.value)}
            />
            <button type="submit" class="btn btn-primary btn-small">
              Save
            </button>
          </form>
        )}
        <p class="muted">
          Group · {members.length} member{members.length === 1 ? "" : "s"}
        </p>
      </div>
      <GroupSettings id={id} amAdmin={amAdmin} active={chat?.active !== false} />
      <DisappearingSetting id={id} mayChange={amAdmin} />
      <section class="info-section" aria-labelledby="members-title">
        <h4 id="members-title">
          {members.length} member{members.length === 1 ? "" : "s"}
        </h4>
        {amAdmin && adding === null && members.length < maxMembers && (
          <button type="button" class="btn btn-text" onClick={() => setAdding([])}>
            + Add members
          </button>
        )}
        {adding !== null && (
          <div class="add-members">
            <UserPicker chosen={adding} onChange={setAdding} excludeIds={members.map((m) => m.userId)} />
            <div class="drawer-actions">
              <button type="button" class="btn" onClick={() => setAdding(null)}>
                Cancel
              </button>
              <button
                type="button"
                class="btn btn-primary"
                disabled={adding.length === 0}
                onClick={() =>
                  void controller.groups
                    .add(
                      id,
                      adding.map((u) => u.id),
                    )
                    .then((ok) => ok && setAdding(null))
                }
              >
                Add {adding.length || ""}
              </button>
            </div>
          </div>
        )}
        <ul class="member-list">
          {sorted.map((m) => (
            <MemberRow key={m.userId} conversationId={id} member={m} amAdmin={amAdmin} />
          ))}
        </ul>
      </section>
      {chat?.active !== false && (
        <button type="button" class="btn btn-text danger exit" onClick={() => void controller.groups.leave(id)}>
          Exit group
        </button>
      )}
    </div>
  );
}

export function InfoPanel({ id }: { id: string }) {
  const chat = useApp((s) => s.chats[id]);
  const ref = useRef<HTMLElement>(null);
  usePanelFocus(ref);
  if (!chat) return null;
  return (
    <section ref={ref} class="drawer" aria-label={chat.type === "group" ? "Group info" : "Contact info"}>
      <PanelHeader title={chat.type === "group" ? "Group info" : "Contact info"} />
      {chat.type === "group" ? (
        <GroupInfo id={id} />
      ) : chat.peerId ? (
        <ContactInfo userId={chat.peerId} conversationId={id} />
      ) : null}
    </section>
  );
}
