-- Notifications: an in-app inbox per user, and an outbox of e-mails written in the same
-- transaction as the event that caused them (sent later by the worker, with retries).
-- Written by service.notifications.notify(); read by the inbox API.

ALTER TABLE users
    ADD COLUMN email            text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    ADD COLUMN email_confirmed_at timestamptz,
    -- Each user may turn e-mail off; the in-app inbox always receives.
    ADD COLUMN email_notifications boolean NOT NULL DEFAULT true;
CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    -- A same-origin path in the web UI (never an absolute URL).
    link        text CHECK (link IS NULL OR (link LIKE '/%' AND link NOT LIKE '//%')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- One e-mail per (event, recipient): a retried transaction cannot enqueue it twice.
    dedupe_key      text NOT NULL UNIQUE CHECK (length(dedupe_key) <= 200),
    to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body            text NOT NULL CHECK (length(body) <= 20000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    last_error      text CHECK (last_error IS NULL OR length(last_error) <= 2000)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;
