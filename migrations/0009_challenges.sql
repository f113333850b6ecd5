-- The 揭榜挂帅 lifecycle as practised, two-way 揭榜 (achievement listings taken up by
-- enterprises), 公示 of results, contract and milestone outcomes.

-- 发榜: a challenge an enterprise posts waits for a coordinator (pending), who approves it (then it
-- is public) or returns it with a reason. Existing rows and ordinary needs count as approved.
ALTER TABLE rd_needs
    ADD COLUMN challenge_review text NOT NULL DEFAULT 'approved'
        CHECK (challenge_review IN ('pending', 'approved', 'returned')),
    ADD COLUMN return_reason    text CHECK (return_reason IS NULL OR length(return_reason) <= 500),
    ADD COLUMN reviewed_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN reviewed_at      timestamptz;
CREATE INDEX rd_needs_review ON rd_needs (challenge_review) WHERE challenge_review <> 'approved';

-- Two-way 揭榜: a university's achievement offered for take-up (转让 / 许可 / 作价入股) with an
-- asking price and terms. An empty listing_modes means "not listed".
ALTER TABLE capabilities
    ADD COLUMN listing_modes text[] NOT NULL DEFAULT '{}'
        CHECK (listing_modes <@ ARRAY['转让', '许可', '作价入股']::text[]),
    ADD COLUMN asking_price  bigint CHECK (asking_price >= 0),
    ADD COLUMN listing_terms text CHECK (listing_terms IS NULL OR length(listing_terms) <= 2000),
    ADD CHECK (cardinality(listing_modes) = 0 OR kind = 'achievement');

-- Applications go either way: a university applies to an enterprise's challenge with a team
-- ('challenge'), or an enterprise applies to take up a listed achievement with one of its needs
-- and a plan ('listing'). Both are the engine's (need, capability) pair.
ALTER TABLE applications
    ADD COLUMN direction    text NOT NULL DEFAULT 'challenge' CHECK (direction IN ('challenge', 'listing')),
    ADD COLUMN withdrawn_at timestamptz,
    ADD COLUMN status_note  text CHECK (status_note IS NULL OR length(status_note) <= 500),
    ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now();
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
    CHECK (status IN ('submitted', 'shortlisted', 'withdrawn', 'selected', 'not_selected'));
ALTER TABLE applications ADD CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL));

-- The owner asks an applicant questions; the applicant answers.
CREATE TABLE application_questions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    question       text NOT NULL CHECK (length(question) BETWEEN 1 AND 1000),
    asked_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    asked_at       timestamptz NOT NULL DEFAULT now(),
    answer         text CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 2000),
    answered_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    answered_at    timestamptz
);
CREATE INDEX application_questions_app ON application_questions (application_id, id);

-- 公示: who won which challenge (or took up which listing), public for a set period. Names and
-- amounts are copied so the notice stays as it was published; never any contact detail.
CREATE TABLE challenge_results (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pairing_id      bigint NOT NULL UNIQUE REFERENCES pairings (id) ON DELETE CASCADE,
    need_id         bigint NOT NULL REFERENCES rd_needs (id) ON DELETE CASCADE,
    capability_id   bigint NOT NULL REFERENCES capabilities (id) ON DELETE CASCADE,
    direction       text NOT NULL CHECK (direction IN ('challenge', 'listing')),
    title           text NOT NULL,
    owner_name      text NOT NULL,
    winner_name     text NOT NULL,
    reward          bigint,
    publicity_start date NOT NULL,
    publicity_end   date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (publicity_start <= publicity_end)
);
CREATE INDEX challenge_results_period ON challenge_results (publicity_end, publicity_start);

-- Outcomes after 签约: the contract's date, and milestones (中期检查, 验收).
ALTER TABLE pairings ADD COLUMN contract_date date;
CREATE TABLE pairing_milestones (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pairing_id  bigint NOT NULL REFERENCES pairings (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('midterm_check', 'acceptance')),
    held_on     date NOT NULL,
    passed      boolean NOT NULL DEFAULT true,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pairing_id, kind)
);
