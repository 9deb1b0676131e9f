/**
 * A big avatar that is also the button to choose a new picture (my profile, a group I administer).
 * The file input stays hidden so the avatar itself is the target; the overlay says "Uploading…"
 * and the button stays disabled until the upload settles, so a second pick cannot race the first.
 */
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { MEDIA_TYPES } from "../lib/sdk.ts";
import { HiddenFileInput } from "./HiddenFileInput.tsx";
import { CameraIcon } from "./icons.tsx";

/** The picture types the server takes for avatars; the chooser offers only these. */
const ACCEPT = MEDIA_TYPES.filter((type) => type.startsWith("image/")).join(",");

export function PictureUpload(props: {
  /** The button's accessible name, e.g. "Change profile photo". */
  label: string;
  /** The current avatar, drawn under the overlay. */
  children: ComponentChildren;
  upload(file: File): Promise<unknown>;
}) {
  const picker = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);
  return (
    <>
      <button
        type="button"
        class="avatar-edit"
        aria-label={props.label}
        disabled={uploading}
        onClick={() => picker.current?.click()}
      >
        {props.children}
        <span class="avatar-edit-overlay">
          <CameraIcon />
          {uploading ? "Uploading…" : "Change photo"}
        </span>
      </button>
      <HiddenFileInput
        inputRef={picker}
        accept={ACCEPT}
        onFile={(file) => {
          setUploading(true);
          void props.upload(file).finally(() => setUploading(false));
        }}
      />
    </>
  );
}
