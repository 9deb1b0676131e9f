/**
 * Profiles as the viewer may see them (README "Privacy", "Blocking"), for every REST read that shows
 * other people: a user's picture and about follow their profile visibility (lib/profile-visibility.ts),
 * and someone who blocked the viewer shows neither.
 *
 * "Contacts" are the people the OWNER has a direct chat with, so that check asks the owner's hub
 * (`directPeers`), once per owner whose visibility is "contacts" — never for the common "everyone".
 * Who blocked the viewer is one call to the viewer's own hub, made only when asked for.
 */
import type { User } from "../../client/sdk/protocol/index.ts";
import type { ProfileView } from "../../db/cache/profile-cache.ts";
import { profileAsSeenBy } from "../../lib/profile-visibility.ts";
import { asSeenByBlocked } from "./blocks.ts";

/** `views` as `viewerId` sees them. `checkBlocks`: also hide those who blocked the viewer. */
export async function profilesAsSeenBy(
  env: Env,
  viewerId: string,
  views: readonly ProfileView[],
  options: { checkBlocks?: boolean } = {},
): Promise<User[]> {
  const others = views.filter((v) => v.user.id !== viewerId);
  const [blockedBy, contactOf] = await Promise.all([
    options.checkBlocks && others.length > 0
      ? env.USER_HUB.getByName(viewerId)
          .viewer()
          .then((v) => new Set(v.blockedBy))
      : new Set<string>(),
    ownersWithViewerAsContact(env, viewerId, others),
  ]);
  return views.map(({ user, visibility }) => {
    if (user.id === viewerId) return user;
    if (blockedBy.has(user.id)) return asSeenByBlocked(user);
    return profileAsSeenBy(user, visibility, { id: viewerId, isContact: contactOf.has(user.id) });
  });
}

/** Of the owners whose visibility is "contacts", those who have a direct chat with the viewer. */
async function ownersWithViewerAsContact(
  env: Env,
  viewerId: string,
  views: readonly ProfileView[],
): Promise<Set<string>> {
  const owners = [...new Set(views.filter((v) => v.visibility === "contacts").map((v) => v.user.id))];
  const answers = await Promise.all(
    owners.map(async (id) => (await env.USER_HUB.getByName(id).directPeers()).includes(viewerId)),
  );
  return new Set(owners.filter((_, i) => answers[i]));
}
