/** The full view of a picture, or the video player (with seeking: the whole file is a blob URL). */
import { useApp, useController } from "../app/context.ts";
import { useMediaUrl } from "../lib/media.ts";
import { Dialog } from "./Dialog.tsx";
import { CloseIcon } from "./icons.tsx";

export function MediaViewer() {
  const controller = useController();
  const viewer = useApp((s) => s.viewer);
  const src = useMediaUrl(viewer?.media.url);
  if (!viewer) return null;
  const video = viewer.media.type.startsWith("video/");
  const close = () => controller.openViewer(null);
  return (
    <Dialog title={video ? "Video" : "Photo"} onClose={close} class="viewer">
      <header class="viewer-header">
        {src && (
          <a
            class="btn btn-text"
            href={src}
            download={`${viewer.media.id}.${viewer.media.type.split("/")[1] ?? "bin"}`}
          >
            Download
          </a>
        )}
        <button type="button" class="icon-btn" aria-label="Close" onClick={close}>
          <CloseIcon />
        </button>
      </header>
      <div class="viewer-body">
        {src === undefined ? (
          viewer.media.thumbnail ? (
            <img class="blurred" src={viewer.media.thumbnail} alt="Loading" />
          ) : (
            <p>Loading…</p>
          )
        ) : src === null ? (
          <p>This file can't be shown.</p>
        ) : video ? (
          <video src={src} controls autoplay playsinline aria-label="Video" />
        ) : (
          <img src={src} alt="Photo, full size" />
        )}
      </div>
    </Dialog>
  );
}
