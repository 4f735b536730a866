-- Online consultations: which facilities offer online care, and patients' requests.

-- A facility's online care, opened or closed by its desk or a coordinator over it. A facility
-- without a row offers none.
CREATE TABLE online_care (
    facility_id TEXT PRIMARY KEY REFERENCES facilities (id),
    is_open     BIGINT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      BIGINT NOT NULL
);

-- One request: `waiting` in the facility's queue, `taken` by a clinician, then `answered`
-- (with medicines as JSON), `referred` (referral_id) or `booked` (booking_id); or
-- `withdrawn` by the patient while it waited.
CREATE TABLE consultations (
    id                TEXT PRIMARY KEY,
    facility_id       TEXT NOT NULL REFERENCES facilities (id),
    patient_id        TEXT NOT NULL REFERENCES users (id),
    patient_pseudonym TEXT NOT NULL,
    complaint         TEXT NOT NULL,
    age_band          TEXT NOT NULL,
    region_code       TEXT NOT NULL,
    lon               DOUBLE PRECISION,
    lat               DOUBLE PRECISION,
    status            TEXT NOT NULL
                      CHECK (status IN ('waiting', 'taken', 'answered', 'referred', 'booked', 'withdrawn')),
    requested_at      BIGINT NOT NULL,
    taken_by          TEXT,
    taken_at          BIGINT,
    answer            TEXT,
    medicines         TEXT NOT NULL,
    closed_at         BIGINT,
    referral_id       TEXT REFERENCES referrals (id),
    booking_id        TEXT REFERENCES bookings (id)
);
CREATE INDEX consultations_queue ON consultations (facility_id, status, requested_at);
CREATE INDEX consultations_patient ON consultations (patient_id, requested_at);
