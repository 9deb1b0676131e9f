/**
 * Deleting an account (README "Deleting an account"), as a job of the user's hub that resumes after
 * a crash and cannot wedge on one bad item.
 *
 * `begin` marks the hub as deleting and, in one transaction, forgets the push subscriptions and
 * queues the work: one `account` item (Postgres: username claim released, credentials gone, sessions
 * revoked, profile "Deleted account", picture deleted; then the session cache is tombstoned, the
 * sockets closed and the new profile announced to the people the user chats with) and one
 * `group:<id>` item per group the user is still in (they leave it; the group's own last-admin rule
 * applies). Calling `begin` again changes nothing: a retried request only waits for the next pass.
 *
 * A pass works every due item; each is idempotent (running it twice is the same as once). An item
 * that fails is retried with backoff, the others go on. If the called side's own code refuses the
 * same item REFUSALS_BEFORE_ISOLATING times in a row (a bug or a poisoned row, not an outage), it is
 * set aside in `dead_letters` (queue `deletion`) and the job moves on.
 */
import type { User } from "../../client/sdk/protocol/index.ts";
import { errorSummary } from "../../lib/log.ts";
import type { Result } from "../../lib/result.ts";
import { isRefusedByDatabase } from "../../lib/transient.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import type { PassOutcome } from "../shared/drain.ts";
import { REFUSALS_BEFORE_ISOLATING, isRefusedByHub } from "../shared/isolate.ts";

/** Items worked per pass (each one a Postgres unit or one Conversation DO call); more passes follow. */
const ITEMS_PER_PASS = 20;
/** Calls in flight at once. */
const CONCURRENCY = 5;
/** The hub's settings key: present = this account is being (or was) deleted. */
const DELETING = "account_deleting";
const ACCOUNT_ITEM = "account";
const GROUP_PREFIX = "group:";

/** The Postgres step's answer: the profile as others now see it, and every session to end. */
export interface AccountRowsDeleted {
  user: User;
  version: number;
  sessionIds: string[];
}

export interface DeletionHost {
  userId(): string;
  sql: SqlStorage;
  /** Runs `write` as one synchronous storage transaction. */
  transaction<T>(write: () => T): T;
  /** The groups the user is still an active member of (from the chat list). */
  activeGroups(): string[];
  /** Forgets every push subscription (inside the caller's transaction). */
  forgetPush(): void;
  /** Closes every socket of the user with 4001 (session ended). */
  closeSockets(): void;
  /** The Postgres work, idempotent; null when the user has no row (nothing to free). */
  deleteRows(): Promise<AccountRowsDeleted | null>;
  /** Tombstones the sessions in the cache, so their tokens fail on the next call. */
  endSessions(sessionIds: readonly string[]): Promise<void>;
  /** Announces the "Deleted account" profile (the hub's profile fan-out). */
  announce(user: User, version: number): void;
  /** The user leaves the group; an error answer means they are not a member (any more). */
  leaveGroup(conversationId: string): Promise<Result<unknown>>;
  /** An item was set aside as a dead letter (counted for `/health/ready`). */
  setAside(): void;
}

interface QueueRow extends Record<string, SqlStorageValue> {
  item: string;
  /** Failed attempts of any kind: the backoff. */
  attempts: number;
  /** Consecutive refusals by the called side's own code: the dead-letter rule. */
  refusals: number;
}

export class HubAccountDeletion {
  /** Read once per object instance, then kept: the hub's alarm asks on every ring. */
  private startedCache: boolean | null = null;

  constructor(private readonly host: DeletionHost) {}

  /** Whether this account is being deleted (or was). */
  get started(): boolean {
    this.startedCache ??=
      this.host.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM settings WHERE key = ?", DELETING).one().n > 0;
    return this.startedCache;
  }

  /** Starts the deletion (idempotent); closes every socket at once. */
  begin(now: number): void {
    this.host.transaction(() => {
      if (this.started) return;
      this.host.sql.exec("INSERT INTO settings (key, value) VALUES (?, ?)", DELETING, String(now));
      this.startedCache = null; // re-read after the commit (a rolled-back transaction must not stick)
      this.host.forgetPush();
      const items = [ACCOUNT_ITEM, ...this.host.activeGroups().map((id) => GROUP_PREFIX + id)];
      for (const item of items) this.host.sql.exec("INSERT OR IGNORE INTO deletion_queue (item) VALUES (?)", item);
    });
    this.host.closeSockets();
  }

  /** Whether the account's own rows are done (username free, sessions ended); false while queued. */
  get accountDone(): boolean {
    return this.started && !this.queued(ACCOUNT_ITEM);
  }

  /** Items still queued (tests, diagnostics). */
  pending(): string[] {
    return this.host.sql
      .exec<{ item: string }>("SELECT item FROM deletion_queue ORDER BY item")
      .toArray()
      .map((r) => r.item);
  }

  /** One pass over the due items (the hub's drain loop runs it). */
  async pass(): Promise<PassOutcome> {
    if (!this.started) return {};
    const now = Date.now();
    const due = this.host.sql
      .exec<QueueRow>(
        // The account first: a group left before the profile is announced would miss the news.
        `SELECT item, attempts, refusals FROM deletion_queue WHERE due <= ?
         ORDER BY item = ? DESC, item LIMIT ?`,
        now,
        ACCOUNT_ITEM,
        ITEMS_PER_PASS + 1,
      )
      .toArray();
    const batch = due.slice(0, ITEMS_PER_PASS);
    await forEachBounded(batch, CONCURRENCY, async (row) => {
      try {
        await this.work(row.item);
        this.host.transaction(() => this.host.sql.exec("DELETE FROM deletion_queue WHERE item = ?", row.item));
      } catch (error) {
        this.failed(row, error);
      }
    });
    const next = this.host.sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM deletion_queue").one().due;
    return { more: due.length > ITEMS_PER_PASS, dueAt: next };
  }

  private async work(item: string): Promise<void> {
    if (item === ACCOUNT_ITEM) return this.deleteAccount();
    if (item.startsWith(GROUP_PREFIX)) {
      // Any answer will do: ok = left now, an error = not a member any more (left before, or a retry).
      await this.host.leaveGroup(item.slice(GROUP_PREFIX.length));
      return;
    }
    throw new Error(`unknown deletion item ${item}`);
  }

  private async deleteAccount(): Promise<void> {
    const deleted = await this.host.deleteRows();
    if (!deleted) return;
    await this.host.endSessions(deleted.sessionIds);
    // Sockets opened between `begin` and the revocation end too.
    this.host.closeSockets();
    this.host.announce(deleted.user, deleted.version);
  }

  private failed(row: QueueRow, error: unknown): void {
    const refused = isRefusedByHub(error) || isRefusedByDatabase(error);
    const refusals = refused ? row.refusals + 1 : 0;
    const attempts = row.attempts + 1;
    const setAside = refusals >= REFUSALS_BEFORE_ISOLATING;
    this.host.transaction(() => {
      if (setAside) {
        this.host.sql.exec(
          "INSERT INTO dead_letters (queue, item, error, at) VALUES ('deletion', ?, ?, ?)",
          row.item,
          errorSummary(error),
          Date.now(),
        );
        this.host.sql.exec("DELETE FROM deletion_queue WHERE item = ?", row.item);
      } else {
        this.host.sql.exec(
          "UPDATE deletion_queue SET attempts = ?, refusals = ?, due = ? WHERE item = ?",
          attempts,
          refusals,
          Date.now() + backoffMs(attempts),
          row.item,
        );
      }
    });
    if (setAside) this.host.setAside();
  }

  private queued(item: string): boolean {
    return (
      this.host.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deletion_queue WHERE item = ?", item).one().n > 0
    );
  }
}
