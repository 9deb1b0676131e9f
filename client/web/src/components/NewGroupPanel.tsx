/** New group: pick members, then name it. */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { MAX_DISPLAY_NAME_CHARS, type User } from "../lib/sdk.ts";
import { BackIcon } from "./icons.tsx";
import { UserPicker } from "./UserPicker.tsx";
import { usePanelFocus } from "./use-panel-focus.ts";

export function NewGroupPanel() {
  const controller = useController();
  const maxMembers = useApp((s) => s.config.maxGroupMembers);
  const [members, setMembers] = useState<User[]>([]);
  const [step, setStep] = useState<"members" | "name">("members");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);
  usePanelFocus(panel);
  useEffect(() => nameInput.current?.focus(), [step]);
  const back = () => (step === "name" ? setStep("members") : controller.setLeftPanel(null));
  const create = async (e: Event) => {
    e.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    const created = await controller.groups.create(
      name.trim(),
      members.map((m) => m.id),
    );
    if (!created) setBusy(false);
  };
  return (
    <section ref={panel} class="drawer" aria-labelledby="new-group-title">
      <header class="drawer-header">
        <button type="button" class="icon-btn" aria-label="Back" onClick={back}>
          <BackIcon />
        </button>
        <h2 id="new-group-title">{step === "members" ? "Add group members" : "New group"}</h2>
      </header>
      {step === "members" ? (
        <div class="drawer-body">
          <UserPicker chosen={members} onChange={(m) => setMembers(m.slice(0, maxMembers - 1))} />
          <div class="drawer-actions">
            <button
              type="button"
              class="btn btn-primary"
              disabled={members.length === 0}
              onClick={() => setStep("name")}
            >
              Next
            </button>
          </div>
        </div>
      ) : (
        <form class="drawer-body" onSubmit={create}>
          <label class="field">
            Group name
            <input
              class="text-input"
              maxLength={MAX_DISPLAY_NAME_CHARS}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              required
              ref={nameInput}
            />
          </label>
          <p class="muted">
            {members.length + 1} members: you, {members.map((m) => m.displayName).join(", ")}
          </p>
          <div class="drawer-actions">
            <button type="submit" class="btn btn-primary" disabled={!name.trim() || busy}>
              Create group
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
