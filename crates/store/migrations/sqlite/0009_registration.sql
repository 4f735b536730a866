-- The online-registration rule and check-ins.

-- A region's order that visits need an online registration (`required` 1) or no longer do
-- (0), effective from a time, naming its exemptions (comma-separated vocabulary). Append-only,
-- like designation orders: the rule in force is derived from the history.
CREATE TABLE registration_orders (
    id           TEXT PRIMARY KEY,
    region_code  TEXT NOT NULL,
    required     INTEGER NOT NULL CHECK (required IN (0, 1)),
    exemptions   TEXT NOT NULL,
    effective_at INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    order_number TEXT NOT NULL,
    ordered_by   TEXT NOT NULL,
    ordered_at   INTEGER NOT NULL
);
CREATE INDEX registration_orders_region ON registration_orders (region_code, effective_at, ordered_at);

-- Every arrival a desk checked in, with what the check-in found. `local_day` is the day in
-- China Standard Time (days since 1970-01-01), the unit the coordinator's effect view counts
-- by. A booking is checked in at most once.
CREATE TABLE check_ins (
    id                TEXT PRIMARY KEY,
    facility_id       TEXT NOT NULL REFERENCES facilities (id),
    service           TEXT NOT NULL,
    patient_pseudonym TEXT NOT NULL,
    outcome           TEXT NOT NULL CHECK (outcome IN ('booked', 'exempt', 'walk_in', 'registered', 'must_register')),
    exemption         TEXT,
    booking_id        TEXT REFERENCES bookings (id),
    rule_id           TEXT REFERENCES registration_orders (id),
    checked_in_by     TEXT NOT NULL,
    at                INTEGER NOT NULL,
    local_day         INTEGER NOT NULL
);
CREATE INDEX check_ins_facility_day ON check_ins (facility_id, local_day);
CREATE UNIQUE INDEX check_ins_booking ON check_ins (booking_id) WHERE booking_id IS NOT NULL;
