/**
 * Typing indicators: relayed to the other members' hubs, never stored, never retried.
 *
 * In a big group most members are usually offline, and every typing event (clients send about one
 * per 3 s) would wake each of their hubs only for it to find no socket. So a hub answers whether a
 * device of its user is connected, and one that says no is skipped for a while. That knowledge is
 * in memory only and learnt from the answers, not read from the hubs: no cross-object state to keep
 * consistent, and losing it (eviction, restart) costs one round of wakes.
 */

/**
 * How long a member whose hub had no connected device is not woken for typing. Being stale for this
 * long is acceptable because typing is ephemeral and best-effort: at worst someone who reconnects
 * inside the window misses an indicator for a few seconds, while messages themselves go through
 * durable fan-out regardless. With one event per ~3 s per typist it turns ~10 wakes per offline
 * member into one. Expiry is the only way out of the list (no "came online" signal): simple, and
 * bounded by this constant.
 */
export const TYPING_OFFLINE_SKIP_MS = 30_000;

export interface TypingHub {
  /** False when the user had no connected device. Older hubs answer nothing: treated as online. */
  typing(conversationId: string, userId: string, typing: boolean): Promise<boolean | void>;
}

/** What one relay did: hubs called, and hubs not woken because they were recently offline. */
export interface TypingRelayed {
  woken: number;
  skipped: number;
}

export class TypingRelay {
  /** Member → time until which their hub is not woken for typing. */
  private readonly offlineUntil = new Map<string, number>();

  constructor(private readonly hub: (userId: string) => TypingHub) {}

  /**
   * Sends the indicator to each recipient's hub, but with `skipOffline` not to the recently offline
   * ones, and resolves once every called hub has answered or failed. A failed call says nothing
   * about presence, so it marks no one offline.
   */
  async relay(
    conversationId: string,
    userId: string,
    typing: boolean,
    recipients: readonly string[],
    skipOffline: boolean,
    now = Date.now(),
  ): Promise<TypingRelayed> {
    for (const [member, until] of this.offlineUntil) if (until <= now) this.offlineUntil.delete(member);
    const woken = skipOffline ? recipients.filter((m) => !this.offlineUntil.has(m)) : [...recipients];
    await Promise.allSettled(
      woken.map(async (member) => {
        const connected = await this.hub(member).typing(conversationId, userId, typing);
        if (connected === false && skipOffline) this.offlineUntil.set(member, now + TYPING_OFFLINE_SKIP_MS);
      }),
    );
    return { woken: woken.length, skipped: recipients.length - woken.length };
  }
}
