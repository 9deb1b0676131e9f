/**
 * A round picture, or coloured initials when there is none (or it cannot be loaded), with an online
 * dot. Decorative for screen readers: the name and "online" are said by the text next to it.
 */
import { useMediaUrl } from "../lib/media.ts";
import { GroupIcon } from "./icons.tsx";

const COLORS = 8;

function hue(seed: string): number {
  let h = 0x811c9dc5; // FNV-1a: ids that differ only at the end still spread over the colours
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) % COLORS;
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0]];
  return (
    letters
      .map((p) => [...(p ?? "")][0] ?? "")
      .join("")
      .toUpperCase() || "?"
  );
}

export interface AvatarProps {
  name: string;
  /** Stable seed for the colour (a user or conversation id). */
  seed: string;
  pictureUrl?: string | null;
  group?: boolean;
  online?: boolean;
  size?: "sm" | "md" | "lg" | "xl";
}

export function Avatar({ name, seed, pictureUrl, group, online, size = "md" }: AvatarProps) {
  const picture = useMediaUrl(pictureUrl);
  return (
    <span class={`avatar avatar-${size} avatar-c${hue(seed)}`} aria-hidden="true">
      {picture ? <img src={picture} alt="" /> : group ? <GroupIcon /> : <span>{initials(name)}</span>}
      {online && <span class="online-dot" aria-hidden="true" />}
    </span>
  );
}
