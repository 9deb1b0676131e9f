/**
 * Group administration for the Conversation DO: creation record, adding, removing (and leaving),
 * promoting and demoting members, renaming and changing the picture.
 *
 * Every change is a system message in the conversation's seq stream, so members see it in the same
 * total order as the messages around it, and it is written together with its fan-out events in one
 * SQLite transaction (the DO's `transaction`). The DO keeps the RPC surface and the primitives that
 * every kind of write shares (appending messages and events, refreshing its cached meta row,
 * starting fan-out); this module holds the rules of who may do what, and in which order it lands.
 */
import type { Conversation, EventBody, Message, SystemEvent } from "../../client/sdk/protocol/index.ts";
import { MAX_GROUP_MEMBERS } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { NOT_FOUND, type MemberRow, type MetaRow } from "./rows.ts";

/** What the group operations need from their Conversation DO. */
export interface GroupHost {
  /** The cached meta row (null before `open`). */
  meta(): MetaRow | null;
  /** The member row, current or former. */
  member(userId: string): MemberRow | null;
  /** The member row if they have not left. */
  activeMember(userId: string): MemberRow | null;
  /** Runs `write` as one synchronous storage transaction. */
  transaction(write: () => void): void;
  /** Appends one event for fan-out; `target` null = every current member. Inside a transaction. */
  appendEvent(target: string | null, body: EventBody): number;
  /** Assigns the next seq to a system message and queues its event and archive row. Inside a transaction. */
  appendMessage(input: { senderId: string; clientId: string; system: SystemEvent }, now: number): Message;
  /** After a committed write: reload the cached meta row and start fan-out. */
  committed(): void;
  /** The conversation with its current members. */
  describe(): Conversation;
}

export class GroupOps {
  constructor(
    private readonly sql: SqlStorage,
    private readonly host: GroupHost,
  ) {}

  /** Records a new group's creation as its first message. Call inside `open`'s transaction. */
  recordCreated(creatorId: string, name: string | undefined, now: number): void {
    this.host.appendMessage(
      {
        senderId: creatorId,
        clientId: `system:created`,
        system: { kind: "created", by: creatorId, name },
      },
      now,
    );
  }

  /** An admin adds people. Past 200 members nothing changes and the answer is `group_full`. */
  addMembers(actorId: string, userIds: string[]): Result<Conversation> {
    const check = this.requireAdmin(actorId);
    if (!check.ok) return check;
    const meta = check.value;
    const fresh = [...new Set(userIds)].filter((id) => !this.host.activeMember(id));
    if (fresh.length === 0) return ok(this.host.describe());
    const active = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM members WHERE left_seq IS NULL").one().n;
    if (active + fresh.length > MAX_GROUP_MEMBERS)
      return err("group_full", `a group has at most ${MAX_GROUP_MEMBERS} members`);
    const now = Date.now();
    this.host.transaction(() => {
      const lastEv = this.sql.exec<{ last_ev: number }>("SELECT last_ev FROM meta").one().last_ev;
      const joinSeq = this.sql.exec<{ last_seq: number }>("SELECT last_seq FROM meta").one().last_seq + 1;
      for (const userId of fresh) {
        // A returning member starts over: they see history from their new join on.
        this.sql.exec(
          `INSERT INTO members (user_id, role, joined_at, joined_seq, joined_ev, fanout_ev, delivered_upto, read_upto)
           VALUES (?1, 'member', ?2, ?3, ?4, ?4, ?3 - 1, ?3 - 1)
           ON CONFLICT (user_id) DO UPDATE SET role = 'member', joined_at = ?2, joined_seq = ?3, joined_ev = ?4,
             left_seq = NULL, left_ev = NULL, fanout_ev = MAX(fanout_ev, ?4), fanout_due = 0, fanout_failures = 0,
             delivered_upto = MAX(delivered_upto, ?3 - 1), read_upto = MAX(read_upto, ?3 - 1), status_sent = NULL`,
          userId,
          now,
          joinSeq,
          lastEv,
        );
        this.host.appendEvent(userId, groupEvent(meta, true));
      }
      this.host.appendMessage(
        {
          senderId: actorId,
          clientId: `system:${crypto.randomUUID()}`,
          system: { kind: "members_added", by: actorId, userIds: fresh },
        },
        now,
      );
    });
    this.host.committed();
    return ok(this.host.describe());
  }

  /**
   * An admin removes someone, or a member leaves (actor = target). The removed member gets the
   * removal itself, then nothing more; the chat stays in their list, read-only. When the last admin
   * leaves, the oldest remaining member becomes admin.
   */
  removeMember(actorId: string, targetId: string): Result<null> {
    const leaving = actorId === targetId;
    const check = leaving ? this.requireGroupMember(actorId) : this.requireAdmin(actorId);
    if (!check.ok) return check;
    const meta = check.value;
    const target = this.host.activeMember(targetId);
    if (!target) return err("not_found", "not a member");
    const now = Date.now();
    this.host.transaction(() => {
      this.host.appendEvent(targetId, groupEvent(meta, false));
      const system: SystemEvent = leaving
        ? { kind: "member_left", userId: targetId }
        : { kind: "member_removed", by: actorId, userId: targetId };
      const message = this.host.appendMessage(
        { senderId: actorId, clientId: `system:${crypto.randomUUID()}`, system },
        now,
      );
      // The removal message is the last event the member's hub receives (fan-out stops at left_ev).
      const leftEv = this.sql.exec<{ last_ev: number }>("SELECT last_ev FROM meta").one().last_ev;
      this.sql.exec(
        "UPDATE members SET left_seq = ?, left_ev = ?, role = 'member' WHERE user_id = ?",
        message.seq,
        leftEv,
        targetId,
      );
      const admins = this.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM members WHERE left_seq IS NULL AND role = 'admin'")
        .one().n;
      if (admins === 0) {
        const oldest = this.sql
          .exec<{ user_id: string }>(
            "SELECT user_id FROM members WHERE left_seq IS NULL ORDER BY joined_at, joined_seq, user_id LIMIT 1",
          )
          .toArray()[0];
        if (oldest) {
          this.sql.exec("UPDATE members SET role = 'admin' WHERE user_id = ?", oldest.user_id);
          this.host.appendMessage(
            {
              senderId: targetId,
              clientId: `system:${crypto.randomUUID()}`,
              system: { kind: "role_changed", by: targetId, userId: oldest.user_id, role: "admin" },
            },
            now,
          );
        }
      }
    });
    this.host.committed();
    return ok(null);
  }

  /** An admin promotes or demotes a member. */
  setRole(actorId: string, targetId: string, role: "admin" | "member"): Result<Conversation> {
    const check = this.requireAdmin(actorId);
    if (!check.ok) return check;
    const target = this.host.activeMember(targetId);
    if (!target) return err("not_found", "not a member");
    if (target.role !== role) {
      const now = Date.now();
      this.host.transaction(() => {
        this.sql.exec("UPDATE members SET role = ? WHERE user_id = ?", role, targetId);
        this.host.appendMessage(
          {
            senderId: actorId,
            clientId: `system:${crypto.randomUUID()}`,
            system: { kind: "role_changed", by: actorId, userId: targetId, role },
          },
          now,
        );
      });
      this.host.committed();
    }
    return ok(this.host.describe());
  }

  /** An admin renames the group or changes its picture. */
  updateGroup(actorId: string, patch: { name?: string; pictureMediaId?: string | null }): Result<Conversation> {
    const check = this.requireAdmin(actorId);
    if (!check.ok) return check;
    const now = Date.now();
    this.host.transaction(() => {
      if (patch.pictureMediaId !== undefined)
        this.sql.exec("UPDATE meta SET picture_media_id = ?", patch.pictureMediaId);
      if (patch.name !== undefined && patch.name !== check.value.name) {
        this.sql.exec("UPDATE meta SET name = ?", patch.name);
        // Read back inside the transaction: the chat-list event carries the new name.
        const meta = this.sql.exec<MetaRow>("SELECT * FROM meta").one();
        this.host.appendEvent(null, groupEvent(meta, true));
        this.host.appendMessage(
          {
            senderId: actorId,
            clientId: `system:${crypto.randomUUID()}`,
            system: { kind: "renamed", by: actorId, name: patch.name },
          },
          now,
        );
      }
    });
    this.host.committed();
    return ok(this.host.describe());
  }

  private requireGroupMember(userId: string): Result<MetaRow> {
    const meta = this.host.meta();
    if (!meta || !this.host.member(userId)) return err("not_found", NOT_FOUND);
    if (meta.type !== "group") return err("invalid_request", "only groups have members to manage");
    if (!this.host.activeMember(userId)) return err("forbidden", "you are no longer a member of this group");
    return ok(meta);
  }

  private requireAdmin(userId: string): Result<MetaRow> {
    const check = this.requireGroupMember(userId);
    if (!check.ok) return check;
    if (this.host.activeMember(userId)?.role !== "admin") return err("forbidden", "only a group admin can do that");
    return check;
  }
}

/** The chat-list entry a member's hub gets when the group appears, changes or becomes read-only. */
function groupEvent(meta: MetaRow, active: boolean): EventBody {
  return {
    kind: "conversation",
    conversation: { id: meta.id, type: "group", name: meta.name, peerId: null, active },
  };
}
