/**
 * Every limited REST route carries its limiter in its own middleware chain (README "Rate limits"). The
 * table below is the list of limits per route; a route that moves, is renamed or loses a
 * `rateLimit(…)` fails here, and so does a limiter on a route the table does not list.
 */
import { describe, expect, it } from "vitest";
import app from "../../workers/index.ts";
import { requireUser } from "../../workers/middleware/auth.ts";
import { rateRuleOf } from "../../workers/middleware/rate-limit.ts";
import {
  AUTH_PER_IP_EDGE,
  BLOCKS_PER_USER,
  CHAT_STATE_PER_USER,
  INVITES_PER_USER,
  PASSWORD_CHANGES_PER_USER,
  ACCOUNT_DELETIONS_PER_USER,
  EXPORTS_PER_USER,
  REPORTS_PER_USER,
  CONVERSATION_CREATES_PER_USER,
  DISCOVERY_PER_USER,
  GROUP_MEMBERSHIP_PER_USER,
  GROUP_UPDATES_PER_USER,
  LOGIN_PER_ACCOUNT,
  LOGIN_PER_ACCOUNT_IP,
  LOGIN_PER_IP,
  MESSAGE_CHANGES_PER_USER,
  PRESENCE_PER_USER,
  PROFILE_UPDATES_PER_USER,
  REGISTER_PER_IP,
  UPLOADS_PER_USER,
  WS_CONNECTS_PER_USER,
  type RateRule,
} from "../../lib/rate-limits.ts";

/** `METHOD path` as Hono lists it → the rules its chain must hold, in order. */
const LIMITED: Record<string, RateRule[]> = {
  "POST /v1/auth/register": [AUTH_PER_IP_EDGE, REGISTER_PER_IP],
  "POST /v1/auth/login": [AUTH_PER_IP_EDGE, LOGIN_PER_IP, LOGIN_PER_ACCOUNT_IP, LOGIN_PER_ACCOUNT],
  "GET /v1/users": [DISCOVERY_PER_USER],
  "GET /v1/presence": [PRESENCE_PER_USER],
  "POST /v1/media": [UPLOADS_PER_USER],
  // Starting a multipart upload counts as an upload; its parts belong to it.
  "POST /v1/media/uploads": [UPLOADS_PER_USER],
  "POST /v1/ws/ticket": [WS_CONNECTS_PER_USER],
  "GET /v1/ws": [WS_CONNECTS_PER_USER],
  "PATCH /v1/me": [PROFILE_UPDATES_PER_USER],
  "POST /v1/conversations": [CONVERSATION_CREATES_PER_USER],
  "PATCH /v1/conversations/:id": [GROUP_UPDATES_PER_USER],
  "POST /v1/conversations/:id/members": [GROUP_MEMBERSHIP_PER_USER],
  "DELETE /v1/conversations/:id/members/:userId": [GROUP_MEMBERSHIP_PER_USER],
  "PATCH /v1/conversations/:id/members/:userId": [GROUP_MEMBERSHIP_PER_USER],
  "PUT /v1/me/blocked/:userId": [BLOCKS_PER_USER],
  "DELETE /v1/me/blocked/:userId": [BLOCKS_PER_USER],
  "POST /v1/conversations/:id/invite": [GROUP_UPDATES_PER_USER],
  "DELETE /v1/conversations/:id/invite": [GROUP_UPDATES_PER_USER],
  "GET /v1/invites/:token": [INVITES_PER_USER],
  "POST /v1/invites/:token/join": [INVITES_PER_USER],
  "POST /v1/me/password": [PASSWORD_CHANGES_PER_USER],
  "DELETE /v1/me": [ACCOUNT_DELETIONS_PER_USER],
  "POST /v1/me/export": [EXPORTS_PER_USER],
  "POST /v1/reports": [REPORTS_PER_USER],
  "PATCH /v1/conversations/:id/messages/:seq": [MESSAGE_CHANGES_PER_USER],
  "PUT /v1/conversations/:id/messages/:seq/reaction": [MESSAGE_CHANGES_PER_USER],
  "DELETE /v1/conversations/:id/messages/:seq/reaction": [MESSAGE_CHANGES_PER_USER],
  "PATCH /v1/conversations/:id/list-state": [CHAT_STATE_PER_USER],
  "POST /v1/conversations/:id/clear": [CHAT_STATE_PER_USER],
};

/** Each served route's chain (middleware entries of that method and path, then the handler), in order. */
function chains(): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const route of app.routes) {
    const key = `${route.method} ${route.path}`;
    out.set(key, [...(out.get(key) ?? []), route.handler]);
  }
  return out;
}

describe("rate limits per route", () => {
  it("keeps each listed limit in its route's own chain, before the handler", () => {
    const served = chains();
    for (const [route, rules] of Object.entries(LIMITED)) {
      const chain = served.get(route);
      expect(chain, `${route} is not served`).toBeDefined();
      expect(chain!.map(rateRuleOf).filter(Boolean), route).toEqual(rules);
      expect(rateRuleOf(chain!.at(-1)), `${route}: the handler is last, not a limiter`).toBeUndefined();
      // Refused before any session lookup, validation or handler work.
      const auth = chain!.indexOf(requireUser);
      const lastLimiter = chain!.findLastIndex((h) => rateRuleOf(h) !== undefined);
      if (auth >= 0) expect(lastLimiter, `${route}: limiter before requireUser`).toBeLessThan(auth);
    }
  });

  it("has no limiter on a route the table does not list, nor on a wildcard", () => {
    const unlisted = [...chains()]
      .filter(([route, chain]) => !(route in LIMITED) && chain.some((h) => rateRuleOf(h) !== undefined))
      .map(([route]) => route);
    expect(unlisted).toEqual([]);
  });
});
