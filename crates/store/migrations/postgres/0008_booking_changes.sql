-- Booking, part two: bookings a patient moved, what patients are told when a change cancels
-- their booking or a waitlist offers them a place, the waitlist itself, and the limit a region
-- sets on future bookings per patient.

-- A booking made by rescheduling names the one it replaced (cancelled in the same transaction).
ALTER TABLE bookings ADD COLUMN rescheduled_from TEXT;

-- What a patient is told about their booking or waitlist place: `cancelled` (a closure, a
-- designation order or a commandeered unit stopped the service; `alternatives` holds the
-- nearest equivalent free slots, JSON) or `waitlist_offer` (a freed place is held for them
-- until the offer's expiry). A walk-in has no account (`patient_id` NULL): the facility's desk
-- reads the notice and tells them.
CREATE TABLE booking_notices (
    id           TEXT PRIMARY KEY,
    patient_id   TEXT,
    patient_pseudonym TEXT NOT NULL,
    facility_id  TEXT NOT NULL REFERENCES facilities (id),
    booking_id   TEXT REFERENCES bookings (id),
    waitlist_id  TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('cancelled', 'waitlist_offer')),
    cause        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    alternatives TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX booking_notices_patient ON booking_notices (patient_id, created_at);
CREATE INDEX booking_notices_facility ON booking_notices (facility_id, created_at);

-- A patient waiting for a place of a service at a facility, in joining order. A freed place
-- is offered to the first `waiting` entry and held for it (the slot's `booked` counts it)
-- until `offer_expires_at`; claimed, it becomes a booking (`booked`); unclaimed, the entry
-- `lapsed` and the place passes to the next.
CREATE TABLE waitlist (
    id                TEXT PRIMARY KEY,
    patient_id        TEXT NOT NULL,
    patient_pseudonym TEXT NOT NULL,
    facility_id       TEXT NOT NULL REFERENCES facilities (id),
    service           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'lapsed', 'left')),
    joined_at         BIGINT NOT NULL,
    offered_slot_id   TEXT REFERENCES slots (id),
    offer_expires_at  BIGINT,
    booking_id        TEXT REFERENCES bookings (id),
    closed_at         BIGINT
);
CREATE INDEX waitlist_queue ON waitlist (facility_id, service, status, joined_at);
CREATE INDEX waitlist_patient ON waitlist (patient_id, status);
CREATE INDEX waitlist_offers ON waitlist (status, offer_expires_at);

-- The most future bookings of a service one patient may hold, set by a region for its subtree
-- (`service` = '*' for every service); the nearest region up the tree that sets one wins.
CREATE TABLE booking_limits (
    region_code TEXT NOT NULL,
    service     TEXT NOT NULL,
    max_future  INTEGER NOT NULL CHECK (max_future BETWEEN 1 AND 20),
    set_by      TEXT NOT NULL,
    set_at      BIGINT NOT NULL,
    PRIMARY KEY (region_code, service)
);

-- How a patient who signed up themself is reached (a phone number or the like), kept apart
-- from the account: only the patient's own record and the audit know it.
CREATE TABLE patient_contacts (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    contact    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
