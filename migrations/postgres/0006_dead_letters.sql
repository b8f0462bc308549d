CREATE TABLE "dead_letters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dead_letters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"topic" text NOT NULL,
	"market" text,
	"dataset" text,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"file" text,
	"line" integer,
	"field" text,
	"raw_key" text,
	"message_key" text NOT NULL,
	"payload" text NOT NULL,
	"payload_encoding" text DEFAULT 'utf8' NOT NULL,
	"headers" jsonb NOT NULL,
	"source_topic" text,
	"source_partition" integer,
	"source_offset" text,
	"fingerprint" text NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replayed_at" timestamp with time zone,
	"replay_result" text,
	"replay_attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_fingerprint_key" ON "dead_letters" USING btree ("fingerprint");--> statement-breakpoint
CREATE INDEX "dead_letters_created_at_idx" ON "dead_letters" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "dead_letters_topic_created_at_idx" ON "dead_letters" USING btree ("topic","created_at");--> statement-breakpoint
CREATE INDEX "dead_letters_dataset_idx" ON "dead_letters" USING btree ("market","dataset");