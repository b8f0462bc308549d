CREATE TABLE "curve_builds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"curve_id" text NOT NULL,
	"as_of" date NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"quotes" jsonb NOT NULL,
	"inputs_hash" text NOT NULL,
	"params" jsonb NOT NULL,
	"first_month" text,
	"last_month" text,
	"method" text,
	"diagnostics" jsonb,
	"error" text,
	"requested_by" uuid,
	"requested_by_label" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "curve_builds_version_key" UNIQUE("curve_id","as_of","version")
);
--> statement-breakpoint
CREATE TABLE "curves" (
	"id" text PRIMARY KEY NOT NULL,
	"market" text NOT NULL,
	"node" text NOT NULL,
	"name" text NOT NULL,
	"unit" text DEFAULT 'USD/MWh' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "curves_market_node_key" UNIQUE("market","node")
);
--> statement-breakpoint
ALTER TABLE "curve_builds" ADD CONSTRAINT "curve_builds_curve_id_curves_id_fk" FOREIGN KEY ("curve_id") REFERENCES "public"."curves"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "curve_builds" ADD CONSTRAINT "curve_builds_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "curves" ADD CONSTRAINT "curves_market_markets_id_fk" FOREIGN KEY ("market") REFERENCES "public"."markets"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "curve_builds_curve_as_of_idx" ON "curve_builds" USING btree ("curve_id","as_of","status");