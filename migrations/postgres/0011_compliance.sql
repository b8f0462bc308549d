CREATE TABLE "compliance_holding_lots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"program" text NOT NULL,
	"class" text NOT NULL,
	"vintage" integer NOT NULL,
	"quantity" integer NOT NULL,
	"entered_by" uuid,
	"entered_by_label" text NOT NULL,
	"entered_via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_holding_lots_quantity_check" CHECK ("compliance_holding_lots"."quantity" > 0),
	CONSTRAINT "compliance_holding_lots_vintage_check" CHECK ("compliance_holding_lots"."vintage" BETWEEN 1990 AND 2100),
	CONSTRAINT "compliance_holding_lots_via_check" CHECK ("compliance_holding_lots"."entered_via" IN ('hub', 'api'))
);
--> statement-breakpoint
CREATE TABLE "compliance_obligations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"program" text NOT NULL,
	"period" integer NOT NULL,
	"basis" text NOT NULL,
	"class" text NOT NULL,
	"deficits_mt" numeric(13, 3),
	"retail_sales_mwh" numeric(13, 3),
	"percent" numeric(7, 4),
	"carve_outs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"entered_by" uuid,
	"entered_by_label" text NOT NULL,
	"entered_via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_obligations_org_program_period_class_key" UNIQUE("organization_id","program","period","class"),
	CONSTRAINT "compliance_obligations_basis_check" CHECK (("compliance_obligations"."basis" = 'deficits' AND "compliance_obligations"."deficits_mt" IS NOT NULL AND "compliance_obligations"."retail_sales_mwh" IS NULL AND "compliance_obligations"."percent" IS NULL AND "compliance_obligations"."carve_outs" = '[]'::jsonb)
        OR ("compliance_obligations"."basis" = 'retail_sales' AND "compliance_obligations"."deficits_mt" IS NULL AND "compliance_obligations"."retail_sales_mwh" IS NOT NULL AND "compliance_obligations"."percent" IS NOT NULL)),
	CONSTRAINT "compliance_obligations_quantities_check" CHECK ("compliance_obligations"."deficits_mt" >= 0 AND "compliance_obligations"."retail_sales_mwh" >= 0 AND "compliance_obligations"."percent" BETWEEN 0 AND 100),
	CONSTRAINT "compliance_obligations_period_check" CHECK ("compliance_obligations"."period" BETWEEN 1990 AND 2100),
	CONSTRAINT "compliance_obligations_via_check" CHECK ("compliance_obligations"."entered_via" IN ('hub', 'api'))
);
--> statement-breakpoint
CREATE TABLE "compliance_retirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"program" text NOT NULL,
	"period" integer NOT NULL,
	"class" text NOT NULL,
	"vintage" integer NOT NULL,
	"quantity" integer NOT NULL,
	"retired_on" date NOT NULL,
	"entered_by" uuid,
	"entered_by_label" text NOT NULL,
	"entered_via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_retirements_quantity_check" CHECK ("compliance_retirements"."quantity" > 0),
	CONSTRAINT "compliance_retirements_years_check" CHECK ("compliance_retirements"."period" BETWEEN 1990 AND 2100 AND "compliance_retirements"."vintage" BETWEEN 1990 AND 2100),
	CONSTRAINT "compliance_retirements_via_check" CHECK ("compliance_retirements"."entered_via" IN ('hub', 'api'))
);
--> statement-breakpoint
ALTER TABLE "compliance_holding_lots" ADD CONSTRAINT "compliance_holding_lots_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_holding_lots" ADD CONSTRAINT "compliance_holding_lots_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_obligations" ADD CONSTRAINT "compliance_obligations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_obligations" ADD CONSTRAINT "compliance_obligations_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_retirements" ADD CONSTRAINT "compliance_retirements_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_retirements" ADD CONSTRAINT "compliance_retirements_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "compliance_holding_lots_org_program_idx" ON "compliance_holding_lots" USING btree ("organization_id","program");--> statement-breakpoint
CREATE INDEX "compliance_retirements_org_program_idx" ON "compliance_retirements" USING btree ("organization_id","program","period");