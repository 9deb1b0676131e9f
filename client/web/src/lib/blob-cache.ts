/**
 * The `blob:` URLs of downloaded media, bounded by bytes. A blob URL keeps its whole file in memory
 * until it is revoked, so an unbounded map grows with every picture and video scrolled past for as
 * long as the tab lives. This keeps the most recently used ones up to `maxBytes` and revokes the rest
 * (`URL.revokeObjectURL`); an evicted file is downloaded again if it is shown again.
 *
 * One object URL may be stored under several server URLs (an upload is remembered under its media
 * URL and its conversation-scoped URL): its bytes count once and it is revoked when its last key goes.
 */

interface Entry {
  objectUrl: string;
  bytes: number;
}

export class BlobUrlCache {
  /** Map order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  /** How many keys point at each object URL. */
  private readonly refs = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly revoke: (objectUrl: string) => void = (url) => URL.revokeObjectURL(url),
  ) {}

  /** Bytes held by the cached object URLs (each counted once). */
  get bytes(): number {
    return this.total;
  }

  /** The object URL for `key`, marking it most recently used; undefined if it is not (or no longer) held. */
  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.objectUrl;
  }

  /** Holds `objectUrl` (of `bytes` bytes) under `key`, then evicts least recently used keys over the budget. */
  set(key: string, objectUrl: string, bytes: number): void {
    if (this.entries.get(key)?.objectUrl === objectUrl) {
      this.get(key);
      return;
    }
    this.drop(key);
    const count = this.refs.get(objectUrl) ?? 0;
    if (count === 0) this.total += bytes;
    this.refs.set(objectUrl, count + 1);
    this.entries.set(key, { objectUrl, bytes });
    // The newest entry stays even if it alone is over the budget: it is about to be shown.
    for (const oldest of this.entries.keys()) {
      if (this.total <= this.maxBytes || oldest === key) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const count = (this.refs.get(entry.objectUrl) ?? 1) - 1;
    if (count > 0) {
      this.refs.set(entry.objectUrl, count);
      return;
    }
    this.refs.delete(entry.objectUrl);
    this.total -= entry.bytes;
    this.revoke(entry.objectUrl);
  }
}
