ALTER TABLE "curve_builds" DROP CONSTRAINT "curve_builds_version_key";--> statement-breakpoint
ALTER TABLE "curve_builds" ADD COLUMN "organization_id" uuid;--> statement-breakpoint
ALTER TABLE "curve_builds" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "curve_builds" ADD COLUMN "publish_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "curve_builds" ADD CONSTRAINT "curve_builds_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "curve_builds_pending_idx" ON "curve_builds" USING btree ("published_at") WHERE "curve_builds"."status" in ('queued', 'running');--> statement-breakpoint
ALTER TABLE "curve_builds" ADD CONSTRAINT "curve_builds_version_key" UNIQUE NULLS NOT DISTINCT("curve_id","organization_id","as_of","version");--> statement-breakpoint
-- Builds requested by a user before curves had owners become private to the user's organization;
-- the demo's builds (and any without a user) stay house builds.
UPDATE "curve_builds" AS b SET "organization_id" = u."organization_id" FROM "users" AS u WHERE b."requested_by" = u."id" AND b."source" <> 'demo';
