-- One key space for what data is entitled, ingested and dead-lettered under: markets and the
-- products beside power (docs/decisions/023). Every market already stored becomes a data key
-- before the foreign keys move from markets to data_keys.
CREATE TABLE "data_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "data_keys_kind_check" CHECK ("data_keys"."kind" IN ('market', 'product'))
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"time_zone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "data_keys" ("id", "kind") SELECT "id", 'market' FROM "markets" ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "entitlements" DROP CONSTRAINT "entitlements_market_markets_id_fk";
--> statement-breakpoint
ALTER TABLE "ingest_backfills" DROP CONSTRAINT "ingest_backfills_market_markets_id_fk";
--> statement-breakpoint
ALTER TABLE "ingest_runs" DROP CONSTRAINT "ingest_runs_market_markets_id_fk";
--> statement-breakpoint
ALTER TABLE "ingest_watermarks" DROP CONSTRAINT "ingest_watermarks_market_markets_id_fk";
--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_id_data_keys_id_fk" FOREIGN KEY ("id") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_market_data_keys_id_fk" FOREIGN KEY ("market") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_backfills" ADD CONSTRAINT "ingest_backfills_market_data_keys_id_fk" FOREIGN KEY ("market") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD CONSTRAINT "ingest_runs_market_data_keys_id_fk" FOREIGN KEY ("market") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_watermarks" ADD CONSTRAINT "ingest_watermarks_market_data_keys_id_fk" FOREIGN KEY ("market") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_id_data_keys_id_fk" FOREIGN KEY ("id") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;