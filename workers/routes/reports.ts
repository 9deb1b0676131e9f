/**
 * Reports (README "Reports").
 *
 * `POST /v1/reports`: a signed-in user reports a person, a chat, or messages of a chat, with a
 * reason. The report keeps the messages as the reporter sees them now (through the same history
 * read as `GET …/messages`, so only a member who can see them can report them, and their hidden or
 * deleted messages stay hidden): the named `seqs`, or a whole chat's latest REPORT_CONTEXT_MESSAGES.
 * Rate-limited per user (REPORTS_PER_USER). Blocking is a separate call the client offers.
 *
 * `GET /v1/operator/reports`, `POST /v1/operator/reports/:id/resolve`: the operator's queue, behind
 * `Authorization: Bearer <OPERATOR_SECRET>`; without that secret configured, or with any other
 * credential, both are the same 404 as an unknown path.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import {
  Id,
  OperatorReportsQuery,
  REPORT_CONTEXT_MESSAGES,
  ROUTES,
  ReportBody,
  ResolveReportBody,
  type Message,
} from "../../client/sdk/protocol/index.ts";
import { withReportStore } from "../../db/report-store.ts";
import { withUserStore } from "../../db/user-store.ts";
import { presentsSecret } from "../../lib/bearer-secret.ts";
import { AppError } from "../../lib/errors.ts";
import { REPORTS_PER_USER } from "../../lib/rate-limits.ts";
import type { AppEnv } from "../env.ts";
import { historyPage } from "../lib/history-page.ts";
import { valid } from "../lib/validate.ts";
import { bearerToken, requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const ReportParam = z.strictObject({ id: Id });

/** 404 unless the request presents the operator secret (and one is configured). */
const requireOperator: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await presentsSecret(c.env.OPERATOR_SECRET, bearerToken(c)))) throw new AppError("not_found", "no such route");
  await next();
};

export const reportRoutes = new Hono<AppEnv>()
  .post(ROUTES.report.path, rateLimit(REPORTS_PER_USER, byUser), requireUser, valid("json", ReportBody), async (c) => {
    const me = c.get("userId");
    const body = c.req.valid("json");
    const ctx = c.executionCtx;
    if (body.userId !== undefined) {
      if (body.userId === me) throw new AppError("invalid_request", "you cannot report yourself");
      const user = await withUserStore(
        c.env,
        (store) => store.getUser(body.userId as string),
        (p) => ctx.waitUntil(p),
      );
      if (!user) throw new AppError("not_found", "no such user");
    }
    let messages: Message[] = [];
    if (body.conversationId !== undefined) {
      const id = body.conversationId;
      messages = body.seqs
        ? await snapshotOf(c.env, ctx, id, me, body.seqs)
        : await historyPage(c.env, ctx, id, me, { limit: REPORT_CONTEXT_MESSAGES });
      if (body.seqs && messages.length === 0) throw new AppError("not_found", "no such message");
    }
    const report = await withReportStore(
      c.env,
      (store) =>
        store.create({
          reporterId: me,
          userId: body.userId ?? null,
          conversationId: body.conversationId ?? null,
          reason: body.reason,
          messages,
        }),
      (p) => ctx.waitUntil(p),
    );
    return c.json({ report }, 201);
  })

  .get(ROUTES.operatorReports.path, requireOperator, valid("query", OperatorReportsQuery), async (c) => {
    const { status, limit } = c.req.valid("query");
    const reports = await withReportStore(
      c.env,
      (store) => store.list(status, limit),
      (p) => c.executionCtx.waitUntil(p),
    );
    return c.json({ reports });
  })

  .post(
    ROUTES.resolveReport.path,
    requireOperator,
    valid("param", ReportParam),
    valid("json", ResolveReportBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const { resolution, note } = c.req.valid("json");
      const report = await withReportStore(
        c.env,
        (store) => store.resolve(id, resolution, note ?? null),
        (p) => c.executionCtx.waitUntil(p),
      );
      if (!report) throw new AppError("not_found", "no such report");
      return c.json({ report });
    },
  );

/**
 * The messages `seqs` as `userId` sees them (one history read per seq: a report names a few).
 * Seqs the reporter cannot see (before they joined, deleted for them, past the end) are left out.
 */
async function snapshotOf(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  conversationId: string,
  userId: string,
  seqs: readonly number[],
): Promise<Message[]> {
  const wanted = [...new Set(seqs)].sort((a, b) => a - b);
  const found: Message[] = [];
  for (const seq of wanted) {
    const [message] = await historyPage(env, ctx, conversationId, userId, { before: seq + 1, limit: 1 });
    if (message?.seq === seq) found.push(message);
  }
  return found;
}
