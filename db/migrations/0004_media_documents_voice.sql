ALTER TABLE "media" ADD COLUMN "filename" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "waveform" jsonb;