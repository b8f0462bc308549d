-- Every change that can take access away (or change what a credential may do) is announced on the
-- channel carbon_auth_changed, so the processes caching credentials and entitlements
-- (server/services/auth/credential-cache.ts) drop their copies at once, on every replica.
-- Statement-level: one notification per statement, whatever the number of rows; NOTIFY is
-- delivered at commit, and identical payloads within a transaction are sent once.
-- Columns that only record use (last_used_at, last_seen_at, last_login_at) do not notify.
CREATE FUNCTION "carbon_auth_changed"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('carbon_auth_changed', TG_TABLE_NAME);
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "api_tokens_auth_changed"
	AFTER UPDATE OF "user_id", "organization_id", "name", "prefix", "hash", "scopes", "expires_at", "revoked_at" OR DELETE OR TRUNCATE ON "api_tokens"
	FOR EACH STATEMENT EXECUTE FUNCTION "carbon_auth_changed"();--> statement-breakpoint
CREATE TRIGGER "users_auth_changed"
	AFTER UPDATE OF "organization_id", "subject", "issuer", "email", "name", "roles", "disabled_at" OR DELETE OR TRUNCATE ON "users"
	FOR EACH STATEMENT EXECUTE FUNCTION "carbon_auth_changed"();--> statement-breakpoint
CREATE TRIGGER "organizations_auth_changed"
	AFTER UPDATE OR DELETE OR TRUNCATE ON "organizations"
	FOR EACH STATEMENT EXECUTE FUNCTION "carbon_auth_changed"();--> statement-breakpoint
CREATE TRIGGER "entitlements_auth_changed"
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "entitlements"
	FOR EACH STATEMENT EXECUTE FUNCTION "carbon_auth_changed"();--> statement-breakpoint
CREATE TRIGGER "sessions_auth_changed"
	AFTER UPDATE OF "user_id", "expires_at", "revoked_at", "id_token" OR DELETE OR TRUNCATE ON "sessions"
	FOR EACH STATEMENT EXECUTE FUNCTION "carbon_auth_changed"();
