/**
 * Keeps one hub's sends to a conversation in arrival order when some of them must await I/O first.
 *
 * A plain text send is issued at once on the conversation's cached stub, and calls on one stub arrive
 * in order (E-order), so a device's messages keep their order. A media send must first resolve its
 * media id in Postgres; while it waits, the hub accepts the next frames, and a text sent right after
 * the picture would overtake it. A gate per conversation prevents that: a send that needs I/O, and
 * every send behind it, waits until the earlier ones were issued. With no gate open, a send passes
 * straight through, so the common path stays synchronous and pipelined.
 */
export class SendGates {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Takes a place in `key`'s queue. Await `prior` (when set) before issuing the call, then call
   * `issued()` right after issuing it, or when giving up, so the sends behind may go.
   */
  enter(key: string, needsIo: boolean): { prior: Promise<void> | undefined; issued: () => void } {
    const prior = this.tails.get(key);
    if (!prior && !needsIo) return { prior: undefined, issued: () => undefined };
    let issued: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      issued = resolve;
    });
    this.tails.set(key, gate);
    void gate.then(() => {
      if (this.tails.get(key) === gate) this.tails.delete(key);
    });
    return { prior, issued };
  }
}
