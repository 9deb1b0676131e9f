ALTER TABLE "media" ADD COLUMN "filename" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "waveform" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reply_to" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reply_to_seq" bigint;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "forwarded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "edited_at" timestamp with time zone;