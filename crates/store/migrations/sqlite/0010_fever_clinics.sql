-- Fever-clinic queues and the wait past which a region is alerted.

-- One patient's visit: `waiting` from check-in, `called` to a clinician, then `seen` or
-- `left` (without being seen). The wait estimate reads the open visits and the last hour's
-- calls and consultations.
CREATE TABLE fever_visits (
    id                TEXT PRIMARY KEY,
    facility_id       TEXT NOT NULL REFERENCES facilities (id),
    patient_pseudonym TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'seen', 'left')),
    arrived_at        INTEGER NOT NULL,
    called_at         INTEGER,
    finished_at       INTEGER,
    checked_in_by     TEXT NOT NULL
);
CREATE INDEX fever_visits_queue ON fever_visits (facility_id, status, arrived_at);
CREATE INDEX fever_visits_recent ON fever_visits (status, finished_at);

-- A region's alert threshold for fever-clinic waits, inherited down the tree.
CREATE TABLE fever_wait_thresholds (
    region_code TEXT PRIMARY KEY,
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 10 AND 1440),
    set_by      TEXT NOT NULL,
    set_at      INTEGER NOT NULL
);
