/**
 * What replies, reactions, edits and forwards add to the wire (README "REST API", "Protocol"): the
 * pieces a send may name, the bodies of the edit and reaction calls, and their events' shapes.
 */
import { z } from "zod";
import { MAX_REACTION_BYTES } from "./limits.ts";
import { ReactionSummary } from "./model.ts";
import { Id, MessageText, Seq } from "./rest.ts";
import { cleanString } from "./strings.ts";

/** A message in another (or the same) conversation, by its place: what a forward names. */
export const MessageRef = z.strictObject({ conversationId: Id, seq: Seq });
export type MessageRef = z.infer<typeof MessageRef>;

// One emoji as Unicode defines it (RGI: keycaps, flags, ZWJ families, skin tones), nothing else.
// Built at run time: the `v` flag is newer than the TypeScript target, every runtime we use has it.
const ONE_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");
const utf8 = new TextEncoder();

/** Exactly one emoji; anything else (text, two emoji, an empty string) is 400 `invalid_request`. */
export const Emoji = cleanString().refine(
  (s) => utf8.encode(s).length <= MAX_REACTION_BYTES && ONE_EMOJI.test(s),
  "must be exactly one emoji",
);

/** `PUT /v1/conversations/:id/messages/:seq/reaction`: set or change my reaction. */
export const ReactionBody = z.strictObject({ emoji: Emoji });
export type ReactionBody = z.infer<typeof ReactionBody>;

/** `PATCH /v1/conversations/:id/messages/:seq`: the sender's new text. */
export const EditMessageBody = z.strictObject({ text: MessageText });
export type EditMessageBody = z.infer<typeof EditMessageBody>;

/** The `reaction` event: the message's whole reaction state, so a later event replaces an earlier one. */
export const ReactionEvent = z.object({
  kind: z.literal("reaction"),
  conversationId: z.string(),
  seq: z.number(),
  reactions: z.array(ReactionSummary),
});

/** The `message_edited` event: the message at `seq` now reads `text`. */
export const MessageEditedEvent = z.object({
  kind: z.literal("message_edited"),
  conversationId: z.string(),
  seq: z.number(),
  text: z.string(),
  editedAt: z.string(),
});
