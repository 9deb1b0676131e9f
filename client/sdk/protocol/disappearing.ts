/**
 * What disappearing messages add to the wire (README "Disappearing messages"): the timer a chat may
 * have, and the event that removes messages whose time came from every device.
 */
import { z } from "zod";
import { DISAPPEARING_TIMERS } from "./limits.ts";

/** One of DISAPPEARING_TIMERS (seconds; 0 = off); anything else is 400 `invalid_request`. */
export const DisappearingSeconds = z
  .number()
  .int()
  .refine((n) => (DISAPPEARING_TIMERS as readonly number[]).includes(n), {
    message: `must be one of ${DISAPPEARING_TIMERS.join(", ")}`,
  });

/** The `messages_expired` event: these messages' time came; drop them (no tombstone, no trace). */
export const MessagesExpiredEvent = z.object({
  kind: z.literal("messages_expired"),
  conversationId: z.string(),
  seqs: z.array(z.number()),
});
