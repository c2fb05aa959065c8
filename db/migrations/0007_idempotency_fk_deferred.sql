-- A tenant's creation claims its Idempotency-Key in the same batch, before the tenant row exists:
-- checking the key's tenant at commit lets the claim stay first (where it must be, to refuse a replay
-- before anything else is attempted).
ALTER TABLE idempotency_keys ALTER CONSTRAINT idempotency_keys_tenant_id_tenants_id_fk DEFERRABLE INITIALLY DEFERRED;
