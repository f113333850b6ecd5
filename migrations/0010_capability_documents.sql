-- 0010: a capability's documents (its members' papers, patents and projects; issue #14 item 3)
-- and the weak flag of ranked pairs in run results (item 5).

CREATE TABLE capability_documents (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    capability_id bigint NOT NULL REFERENCES capabilities (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('paper', 'patent', 'project')),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    abstract      text NOT NULL DEFAULT '' CHECK (length(abstract) <= 5000),
    keywords      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(keywords) <= 30),
    year          integer CHECK (year BETWEEN 1900 AND 2100),
    -- md5 of the normalised title (NFKC, case folded, spaces and punctuation dropped), so the
    -- same document cannot be listed twice for one capability
    title_key     text NOT NULL,
    position      integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (capability_id, title_key)
);
CREATE INDEX capability_documents_order ON capability_documents (capability_id, position);

ALTER TABLE run_candidates ADD COLUMN weak boolean NOT NULL DEFAULT false;
