-- Sessions end at their expiry; when one was last used is not shown or used anywhere, and keeping it
-- cost a write on every request.
ALTER TABLE account_session DROP COLUMN last_seen_at;
