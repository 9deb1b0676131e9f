ALTER TABLE "media" ADD COLUMN "pinned_at" timestamp with time zone;--> statement-breakpoint
-- Hand-added (not generated): media uploaded before pictures were pinned may be someone's profile
-- or group picture, which Postgres cannot tell apart from an unsent upload (a group picture is named
-- only in its conversation's Durable Object). Pin every live, never-referenced image so the sweep
-- of unsent uploads can never delete a picture in use; the cost is that such old uploads stay.
UPDATE "media" SET "pinned_at" = now() WHERE "deleted_at" IS NULL AND "last_ref_at" IS NULL AND "type" LIKE 'image/%';--> statement-breakpoint
CREATE INDEX "media_unsent_idx" ON "media" USING btree ("created_at") WHERE "media"."deleted_at" IS NULL AND "media"."last_ref_at" IS NULL AND "media"."pinned_at" IS NULL;--> statement-breakpoint
CREATE INDEX "media_tombstone_idx" ON "media" USING btree ("deleted_at") WHERE "media"."deleted_at" IS NOT NULL;
