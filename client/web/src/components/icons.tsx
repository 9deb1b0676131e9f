/** Inline SVG icons (no icon font, no extra requests); decorative unless given a label. */
import type { JSX } from "preact";

type IconProps = { label?: string; class?: string };

function Svg({
  label,
  class: cls,
  children,
  viewBox = "0 0 24 24",
}: IconProps & { children: JSX.Element | JSX.Element[]; viewBox?: string }) {
  return (
    <svg
      class={`icon ${cls ?? ""}`}
      viewBox={viewBox}
      width="24"
      height="24"
      fill="currentColor"
      aria-hidden={label ? undefined : "true"}
      role={label ? "img" : undefined}
      aria-label={label}
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const SendIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z" />
  </Svg>
);
export const AttachIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M16.5 6.5v10.2a4.5 4.5 0 0 1-9 0V5.8a3 3 0 0 1 6 0v9.9a1.5 1.5 0 0 1-3 0V6.5H9v9.2a3 3 0 0 0 6 0V5.8a4.5 4.5 0 0 0-9 0v10.9a6 6 0 0 0 12 0V6.5z" />
  </Svg>
);
export const BackIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z" />
  </Svg>
);
export const CloseIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6z" />
  </Svg>
);
export const SearchIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 14 15.5l.3.3v.8l5 5 1.5-1.5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z" />
  </Svg>
);
export const GroupIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0c-.3 0-.6 0-1 .1 1.2.8 2 2 2 3.4V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z" />
  </Svg>
);
export const ChevronDownIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z" />
  </Svg>
);
export const ClockIcon = (p: IconProps) => (
  <Svg {...p} viewBox="0 0 16 16">
    <path d="M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zm0 1.3a5.2 5.2 0 1 1 0 10.4A5.2 5.2 0 0 1 8 2.8zm-.6 1.9v4l3.2 1.9.6-1-2.6-1.6V4.7z" />
  </Svg>
);
export const CheckIcon = (p: IconProps) => (
  <Svg {...p} viewBox="0 0 16 11">
    <path d="M11.1.7 4.6 7.2 1.9 4.5.7 5.7l3.9 3.9 7.7-7.7z" />
  </Svg>
);
export const DoubleCheckIcon = (p: IconProps) => (
  <Svg {...p} viewBox="0 0 16 11">
    <path d="M11.1.7 4.6 7.2 1.9 4.5.7 5.7l3.9 3.9 7.7-7.7zm3.5 0L8.1 7.2l-.7-.7-1.2 1.2 1.9 1.9 7.7-7.7z" />
  </Svg>
);
export const BlockIcon = (p: IconProps) => (
  <Svg {...p} viewBox="0 0 16 16">
    <path d="M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zM2.5 8a5.5 5.5 0 0 1 8.9-4.3L3.7 11.4A5.5 5.5 0 0 1 2.5 8zM8 13.5a5.5 5.5 0 0 1-3.4-1.2l7.7-7.7A5.5 5.5 0 0 1 8 13.5z" />
  </Svg>
);
export const PlayIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M8 5v14l11-7z" />
  </Svg>
);
export const CameraIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 9a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm8-4h-3.2L15 3H9L7.2 5H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm-8 13.5a5.5 5.5 0 1 1 0-11 5.5 5.5 0 0 1 0 11z" />
  </Svg>
);
export const LogoutIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M10 17v-3H3v-4h7V7l5 5zm-1-15h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2v-3h2v3h10V4H9v3H7V4a2 2 0 0 1 2-2z" />
  </Svg>
);
export const InfoIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M11 7h2v2h-2zm0 4h2v6h-2zm1-9a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16z" />
  </Svg>
);
export const LockIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M18 8h-1V6A5 5 0 0 0 7 6v2H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zM9 6a3 3 0 0 1 6 0v2H9z" />
  </Svg>
);
export const EmojiIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18.2a8.2 8.2 0 1 1 0-16.4 8.2 8.2 0 0 1 0 16.4zM8.6 11a1.4 1.4 0 1 0 0-2.8 1.4 1.4 0 0 0 0 2.8zm6.8 0a1.4 1.4 0 1 0 0-2.8 1.4 1.4 0 0 0 0 2.8zM12 17.3c2.2 0 4.1-1.4 4.9-3.4H7.1c.8 2 2.7 3.4 4.9 3.4z" />
  </Svg>
);
export const PinIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M16 3l5 5-2 1-3.5 3.5.5 4.5-1.5 1.5-4-4L5 19l-1-1 4.5-5.5-4-4L6 7l4.5.5L14 4z" />
  </Svg>
);
export const MutedIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M12 3a5 5 0 00-5 5v4l-2 3h11.6L6.3 4.7l-1.4 1.4 14 14 1.4-1.4-2.3-2.3V15l-1-1.5V8a5 5 0 00-5-5zm-2 15a2 2 0 004 0z" />
  </Svg>
);
export const ArchiveIcon = (p: IconProps) => (
  <Svg {...p}>
    <path d="M4 4h16l1 3v13H3V7zm1.5 3h13l-.5-1H6zM9 11v2h6v-2z" />
  </Svg>
);
