/**
 * What a block changes outside the blocker's own hub, for the routes that show people to others or
 * add them to groups. The blocked person's hub knows who blocked them (durable-objects/user-hub/blocks.ts),
 * so each check is one call to the caller's own hub.
 */
import type { User } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";

/** Refuses adding anyone who blocked `actorId` to a group (a new one or an existing one). */
export async function refuseBlockedAdds(env: Env, actorId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const { blockedBy } = await env.USER_HUB.getByName(actorId).viewer();
  if (blockedBy.length === 0) return;
  const blockers = new Set(blockedBy);
  if (userIds.some((id) => blockers.has(id))) throw new AppError("forbidden", "you cannot add this person to a group");
}

/** A profile as someone its owner blocked sees it: no picture, no about (changes stay hidden). */
export function asSeenByBlocked(user: User): User {
  return { ...user, about: "", pictureUrl: null };
}
