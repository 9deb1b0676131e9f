/**
 * A Durable Object's `SqlStorage` and `transactionSync` over Node's own SQLite (`node:sqlite`), so
 * the objects' stores and the logic on top of them run in plain Node tests, as they run in workerd.
 * Only what the stores use is here; every statement is counted, which is how the tests hold the
 * number of statements per message down.
 */
import { DatabaseSync } from "node:sqlite";

type Row = Record<string, SqlStorageValue>;

class Cursor<T extends Row> {
  constructor(
    private readonly rows: T[],
    readonly rowsWritten: number,
  ) {}
  toArray(): T[] {
    return this.rows;
  }
  one(): T {
    if (this.rows.length !== 1) throw new Error(`expected exactly one row, got ${this.rows.length}`);
    return this.rows[0] as T;
  }
}

export class NodeSqlStorage {
  readonly db = new DatabaseSync(":memory:");
  /** Statements run so far (tests reset it to count one operation). */
  statements = 0;
  /** The statements themselves, when `recording` is on. */
  readonly log: string[] = [];
  recording = false;

  exec<T extends Row>(query: string, ...bindings: unknown[]): Cursor<T> {
    this.statements++;
    if (this.recording) this.log.push(query.replace(/\s+/g, " ").trim());
    const statement = this.db.prepare(query);
    const rows = statement.all(...(bindings as never[])) as unknown as T[];
    const written = (this.db.prepare("SELECT changes() AS n").get() as { n: number }).n;
    return new Cursor(
      rows.map((r) => ({ ...r }) as T),
      /^\s*(insert|update|delete|replace)/i.test(query) ? written : 0,
    );
  }
}

/** The parts of `DurableObjectStorage` the objects' code uses, over one in-memory database. */
export class NodeStorage {
  readonly sql = new NodeSqlStorage();
  private depth = 0;

  transactionSync<T>(fn: () => T): T {
    const savepoint = `sp${this.depth++}`;
    this.sql.db.exec(`SAVEPOINT ${savepoint}`);
    try {
      const result = fn();
      this.sql.db.exec(`RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.sql.db.exec(`ROLLBACK TO ${savepoint}`);
      this.sql.db.exec(`RELEASE ${savepoint}`);
      throw error;
    } finally {
      this.depth--;
    }
  }

  /** As `SqlStorage`, for the stores' constructors. */
  get sqlStorage(): SqlStorage {
    return this.sql as unknown as SqlStorage;
  }

  /** As `DurableObjectStorage` for `migrate`. */
  get storage(): DurableObjectStorage {
    return this as unknown as DurableObjectStorage;
  }
}
