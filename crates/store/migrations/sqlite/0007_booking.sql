-- Booking: schedules a facility desk publishes, the closures that interrupt them, the slots
-- they become over a rolling horizon, and the bookings that fill a slot.
--
-- A slot never holds more confirmed bookings than its capacity: a booking takes its place with
-- one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity AND status = 'open'`)
-- in the transaction that inserts it, and the CHECK below refuses anything else on both
-- backends, whatever the application does.

-- A schedule's weekly templates are its body (JSON, as the desk wrote them); days are local
-- (China Standard Time) day numbers since 1970-01-01.
CREATE TABLE schedules (
    id          TEXT PRIMARY KEY,
    facility_id TEXT NOT NULL REFERENCES facilities (id),
    service     TEXT NOT NULL,
    clinician   TEXT,
    valid_from  INTEGER NOT NULL,
    valid_until INTEGER,
    templates   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
);
CREATE INDEX schedules_facility ON schedules (facility_id, service, status);

-- A facility's service (every service when `service` is NULL) closed on the local days
-- `from_day` to `until_day`, inclusive.
CREATE TABLE schedule_closures (
    id          TEXT PRIMARY KEY,
    facility_id TEXT NOT NULL REFERENCES facilities (id),
    service     TEXT,
    from_day    INTEGER NOT NULL,
    until_day   INTEGER NOT NULL CHECK (until_day >= from_day),
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX schedule_closures_facility ON schedule_closures (facility_id, until_day);

CREATE TABLE slots (
    id            TEXT PRIMARY KEY,
    schedule_id   TEXT NOT NULL REFERENCES schedules (id),
    facility_id   TEXT NOT NULL REFERENCES facilities (id),
    service       TEXT NOT NULL,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL CHECK (ends_at > starts_at),
    capacity      INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    booked        INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    status        TEXT NOT NULL CHECK (status IN ('open', 'cancelled')),
    cancel_reason TEXT,
    UNIQUE (schedule_id, starts_at)
);
CREATE INDEX slots_search ON slots (service, status, starts_at);
CREATE INDEX slots_facility ON slots (facility_id, starts_at);

-- `patient_id`: the patient's own account, or NULL for a walk-in a desk booked; the service and
-- start are the slot's, copied so a patient's future bookings per service are one index read.
CREATE TABLE bookings (
    id                TEXT PRIMARY KEY,
    slot_id           TEXT NOT NULL REFERENCES slots (id),
    facility_id       TEXT NOT NULL REFERENCES facilities (id),
    service           TEXT NOT NULL,
    starts_at         INTEGER NOT NULL,
    patient_id        TEXT,
    patient_pseudonym TEXT NOT NULL,
    booked_by         TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled', 'checked_in', 'no_show')),
    created_at        INTEGER NOT NULL,
    cancelled_at      INTEGER,
    cancel_reason     TEXT
);
CREATE INDEX bookings_patient ON bookings (patient_id, service, status, starts_at);
CREATE INDEX bookings_slot ON bookings (slot_id, status);
CREATE INDEX bookings_facility ON bookings (facility_id, starts_at);
