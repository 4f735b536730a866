-- Referrals, their offers (held beds) and their timeline (issue 4).
--
-- A referral is a pseudonymous patient's need, filed once. It carries its region path (like
-- facilities) so a coordinator's list is scoped in the query. `status` is the referral's state
-- (see domain/src/referral.rs for the lifecycle); `version` is its ETag.

CREATE TABLE referrals (
    id                TEXT PRIMARY KEY,
    pseudonym         TEXT NOT NULL,
    age_band          TEXT NOT NULL,
    lon               DOUBLE PRECISION NOT NULL,
    lat               DOUBLE PRECISION NOT NULL,
    region_code       TEXT NOT NULL,
    city_code         TEXT NOT NULL,
    province_code     TEXT NOT NULL,
    infection         TEXT NOT NULL,
    need              TEXT NOT NULL,
    unit              TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    needs_ambulance   BIGINT NOT NULL,
    sessions_per_week BIGINT CHECK (sessions_per_week IS NULL OR sessions_per_week BETWEEN 2 AND 3),
    note              TEXT NOT NULL,
    status            TEXT NOT NULL,
    filed_by          TEXT NOT NULL REFERENCES users (id),
    -- The clinician's facility, or NULL for a patient filing for themself.
    referring_facility_id TEXT REFERENCES facilities (id),
    filed_at          BIGINT NOT NULL,
    wait_deadline     BIGINT NOT NULL,
    failed_offers     BIGINT NOT NULL DEFAULT 0 CHECK (failed_offers >= 0),
    placed_at         TEXT REFERENCES facilities (id),
    -- Set when the referral escalated to its region's coordinators; the engine keeps offering.
    escalated_at      BIGINT,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL
);
CREATE INDEX referrals_province ON referrals (province_code, status, filed_at);
CREATE INDEX referrals_city ON referrals (city_code, status, filed_at);
CREATE INDEX referrals_region ON referrals (region_code, status, filed_at);
CREATE INDEX referrals_filed_by ON referrals (filed_by, filed_at);
CREATE INDEX referrals_referring_facility ON referrals (referring_facility_id, filed_at);
CREATE INDEX referrals_deadline ON referrals (status, wait_deadline);

-- An offer holds one bed (or station) of `unit` at `facility_id` while `status` is 'holding'
-- and `expires_at` has not passed. The available count of a unit is staffed − occupied − the
-- offers holding it − the offers accepted since the unit's standing report (a report made after
-- an acceptance is taken to count the patient). A referral has at most one holding offer.
CREATE TABLE offers (
    id             TEXT PRIMARY KEY,
    referral_id    TEXT NOT NULL REFERENCES referrals (id),
    facility_id    TEXT NOT NULL REFERENCES facilities (id),
    unit           TEXT NOT NULL,
    status         TEXT NOT NULL,
    offered_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL CHECK (expires_at > offered_at),
    directed       BIGINT NOT NULL,
    distance_km    DOUBLE PRECISION NOT NULL,
    offered_by     TEXT,
    answered_at    BIGINT,
    answered_by    TEXT,
    decline_reason TEXT,
    decline_note   TEXT
);
CREATE UNIQUE INDEX offers_one_holding_per_referral ON offers (referral_id) WHERE status = 'holding';
CREATE INDEX offers_referral ON offers (referral_id, offered_at);
CREATE INDEX offers_facility ON offers (facility_id, status, offered_at);
CREATE INDEX offers_holding_expiry ON offers (expires_at) WHERE status = 'holding';

-- The referral's timeline as its patient and clinician see it: what happened, when, and why.
CREATE TABLE referral_events (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    facility_id TEXT,
    detail      TEXT NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, at, id);
