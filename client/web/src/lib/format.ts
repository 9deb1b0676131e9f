/** Text for times, sizes and message previews. Pure functions of their inputs (and the browser locale). */
import { parseRichText, plainText } from "./rich-text.ts";
import type { Message, Presence, SystemEvent } from "./sdk.ts";

const encoder = new TextEncoder();
/** UTF-8 bytes of `text`: the server's text limit (`maxTextBytes`) counts these, not characters. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

const locale = typeof navigator === "undefined" ? "en" : navigator.language;
const timeFormat = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
const weekdayFormat = new Intl.DateTimeFormat(locale, { weekday: "long" });
const dateFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric" });
const shortDateFormat = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric" });

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}
/** Whole calendar days from `then` to `now` (0 = same day). */
function daysAgo(then: Date, now: Date): number {
  return Math.round((startOfDay(now) - startOfDay(then)) / 86_400_000);
}

export function timeOfDay(iso: string): string {
  return timeFormat.format(new Date(iso));
}

/** The day separator in a conversation: Today, Yesterday, a weekday this week, else the date. */
export function dayLabel(iso: string, now = new Date()): string {
  const then = new Date(iso);
  const days = daysAgo(then, now);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days < 7 && days > 0) return weekdayFormat.format(then);
  return dateFormat.format(then);
}

/** The time in a chat list row: the time today, else Yesterday, a weekday, or a short date. */
export function listTime(iso: string, now = new Date()): string {
  const then = new Date(iso);
  const days = daysAgo(then, now);
  if (days === 0) return timeFormat.format(then);
  if (days === 1) return "Yesterday";
  if (days < 7 && days > 0) return weekdayFormat.format(then);
  return shortDateFormat.format(then);
}

/** "online", "last seen today at 14:03", …; null when the person hides it (or was never seen). */
export function presenceText(presence: Presence | undefined, now = new Date()): string | null {
  if (!presence) return null;
  if (presence.online) return "online";
  if (!presence.lastSeenAt) return null;
  const then = new Date(presence.lastSeenAt);
  const days = daysAgo(then, now);
  const at = timeFormat.format(then);
  if (days === 0) return `last seen today at ${at}`;
  if (days === 1) return `last seen yesterday at ${at}`;
  return `last seen ${dateFormat.format(then)} at ${at}`;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A size limit as people say it, in whole units where it is whole: "2 MB", "300 bytes". */
export function sizeLimit(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, "KB"] : [bytes / 1024 / 1024, "MB"];
  return `${Number(value.toFixed(1))} ${unit}`;
}

/** A span of time as people say it: "2 hours", "1 hour", "15 minutes", "30 seconds". */
export function span(seconds: number): string {
  const [value, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, "hour"]
      : seconds % 60 === 0
        ? [seconds / 60, "minute"]
        : [seconds, "second"];
  return `${value} ${unit}${value === 1 ? "" : "s"}`;
}

export function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** What a group's membership message says, with names resolved by `name` ("You" for me). */
export function systemText(event: SystemEvent, name: (id: string) => string): string {
  // "You" starts a sentence; elsewhere it is "you" ("Alice added you").
  const object = (id: string) => (name(id) === "You" ? "you" : name(id));
  switch (event.kind) {
    case "created":
      return `${name(event.by)} created group "${event.name ?? ""}"`;
    case "members_added":
      return `${name(event.by)} added ${event.userIds.map(object).join(", ")}`;
    case "member_removed":
      return `${name(event.by)} removed ${object(event.userId)}`;
    case "member_left":
      return `${name(event.userId)} left`;
    case "role_changed":
      return event.role === "admin"
        ? `${name(event.by)} made ${object(event.userId)} an admin`
        : `${name(event.by)} dismissed ${object(event.userId)} as admin`;
    case "renamed":
      return `${name(event.by)} renamed the group to "${event.name}"`;
    case "joined_by_link":
      return `${name(event.userId)} joined using the group's invite link`;
    case "description_changed":
      return event.description
        ? `${name(event.by)} changed the group description`
        : `${name(event.by)} removed the group description`;
    case "settings_changed":
      return settingsText(name(event.by), event);
    case "disappearing_changed":
      return event.seconds === 0
        ? `${name(event.by)} turned off disappearing messages`
        : `${name(event.by)} turned on disappearing messages: ${timerLabel(event.seconds)}`;
  }
}

/** A disappearing-messages timer as a person says it: "Off", "24 hours", "7 days", "90 days". */
export function timerLabel(seconds: number): string {
  if (seconds <= 0) return "Off";
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} hours`;
  const days = Math.round(seconds / 86_400);
  return days === 1 ? "24 hours" : `${days} days`;
}

function settingsText(who: string, e: { onlyAdminsSend?: boolean; onlyAdminsEdit?: boolean }): string {
  const parts: string[] = [];
  if (e.onlyAdminsSend !== undefined)
    parts.push(e.onlyAdminsSend ? "only admins can send messages" : "all members can send messages");
  if (e.onlyAdminsEdit !== undefined)
    parts.push(e.onlyAdminsEdit ? "only admins can edit group info" : "all members can edit group info");
  return `${who} changed the group settings: ${parts.join("; ")}`;
}

export const DELETED_TEXT = "This message was deleted";

/** One line for the chat list: text, "Photo"/"Video", a tombstone or a membership change. */
export function previewText(m: Message, name: (id: string) => string): string {
  if (m.deleted) return DELETED_TEXT;
  if (m.system) return systemText(m.system, name);
  const kind = m.media ? (m.media.type.startsWith("video/") ? "Video" : "Photo") : null;
  // As the reader sees it: formatting markers are not shown.
  const text = m.text === null ? null : plainText(parseRichText(m.text));
  if (kind && text) return `${kind}: ${text}`;
  return kind ?? text ?? "";
}
