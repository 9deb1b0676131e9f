/**
 * A picture or video in a bubble: the inline thumbnail at once (blurred), the real file once fetched.
 * Clicking opens the full view. The box keeps the media's aspect ratio so nothing jumps while loading.
 */
import type { Media } from "../lib/sdk.ts";
import { duration } from "../lib/format.ts";
import { useMediaUrl } from "../lib/media.ts";
import { PlayIcon } from "./icons.tsx";

function box(width?: number, height?: number) {
  const w = width ?? 4;
  const h = height ?? 3;
  // Very tall or very wide media are cropped to a sane bubble shape.
  const ratio = Math.min(Math.max(w / h, 0.6), 2);
  return { aspectRatio: String(ratio) };
}

export interface MediaContentProps {
  media: Pick<Media, "type" | "width" | "height" | "thumbnail" | "durationMs"> & { url?: string };
  /** A local file being sent (blob: URL). */
  localUrl?: string;
  onOpen?(): void;
}

export function MediaContent({ media, localUrl, onOpen }: MediaContentProps) {
  const video = media.type.startsWith("video/");
  const fetched = useMediaUrl(localUrl || video ? null : media.url);
  const src = localUrl && !video ? localUrl : (fetched ?? media.thumbnail);
  const label = video ? "Video" : "Photo";
  const content = (
    <>
      {src ? (
        <img src={src} alt={label} class={fetched || (localUrl && !video) ? "" : "blurred"} />
      ) : video && localUrl ? (
        <video src={localUrl} muted preload="metadata" aria-label={label} />
      ) : (
        <span class="media-missing">{fetched === null ? `${label} unavailable` : ""}</span>
      )}
      {video && (
        <span class="media-play" aria-hidden="true">
          <PlayIcon />
        </span>
      )}
      {video && media.durationMs !== undefined && <span class="media-duration">{duration(media.durationMs)}</span>}
    </>
  );
  return onOpen ? (
    <button
      type="button"
      class="media"
      style={box(media.width, media.height)}
      aria-label={video ? "Play video" : "Open photo"}
      onClick={onOpen}
    >
      {content}
    </button>
  ) : (
    <div class="media" style={box(media.width, media.height)}>
      {content}
    </div>
  );
}
