-- Fuel forward curves (issue 18): gas hubs and LNG basis curves live beside the power curves in
-- `curves`, entitled under their product (GAS, LNG), so the market column now references data_keys
-- (every market is one since 0010), and `commodity` says how a curve is built and where its points
-- are (power: curve_points; gas, lng_basis: fuel_curve_points). Existing curves are power.
ALTER TABLE "curves" DROP CONSTRAINT "curves_market_markets_id_fk";
--> statement-breakpoint
ALTER TABLE "curves" ADD COLUMN "commodity" text DEFAULT 'power' NOT NULL;--> statement-breakpoint
ALTER TABLE "curves" ADD CONSTRAINT "curves_market_data_keys_id_fk" FOREIGN KEY ("market") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "curves" ADD CONSTRAINT "curves_commodity_check" CHECK ("curves"."commodity" IN ('power', 'gas', 'lng_basis'));