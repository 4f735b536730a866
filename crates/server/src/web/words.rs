//! No raw key on any page (issue 20, point 5): every step kind, escalation cause and
//! displacement cause the service writes, and every value of every enum a page shows, in words
//! in both languages, never as its key.
//!
//! Two halves. The service's sources are read for the keys it writes (`event(now, "…")`,
//! `escalate(…, "…")`, the displacement causes), so a new key without an entry in
//! `text_ranking`'s lists fails here, and the lists are then rendered: a timeline holding
//! one step of every kind with every cause (through the page's own `timeline`), and each enum's
//! words. A text fails on an identifier-like word (`[a-z]+_[a-z_]+`, `displaced_unplaced`), on
//! being a key itself (`displaced`), or on falling back to the words for an unknown key.

use super::i18n::Lang;
use super::pages::referrals::{timeline, Names};
use super::text_ranking::{self, DISPLACEMENT_CAUSES, ESCALATION_CAUSES, EVENT_KINDS};
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{FacilityLevel, GeoPoint};
use carebridge_domain::ids::{FacilityId, ReferralId, UserId};
use carebridge_domain::placement::Exclusion;
use carebridge_domain::referral::{
    AgeBand, DeclineReason, InfectionStatus, OfferStatus, PatientInfo, Referral, ReferralDraft, ReferralStatus,
    Urgency, WeekdayPattern,
};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_service::protected::Absorb;
use carebridge_service::referrals::{EventView, ReferralDetail};
use serde_json::json;

const LANGS: [Lang; 2] = [Lang::Zh, Lang::En];

/// The first identifier-like word of `text` (lowercase ASCII letters joined by underscores).
fn identifier_in(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_lowercase() || (start > 0 && is_word(bytes[start - 1])) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_lowercase() || bytes[end] == b'_') {
            end += 1;
        }
        let word = &text[start..end];
        let glued = end < bytes.len() && is_word(bytes[end]);
        if !glued && word.trim_end_matches('_').contains('_') {
            return Some(word);
        }
        start = end.max(start + 1);
    }
    None
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every key the texts must not show bare.
fn keys() -> Vec<String> {
    let mut out: Vec<String> =
        EVENT_KINDS.iter().chain(ESCALATION_CAUSES).chain(DISPLACEMENT_CAUSES).map(|k| k.to_string()).collect();
    out.extend(ReferralStatus::ALL.iter().map(|s| s.as_str().to_string()));
    out.extend(OfferStatus::ALL.iter().map(|s| s.as_str().to_string()));
    out.extend(Exclusion::ALL.iter().map(|s| s.as_str().to_string()));
    out
}

/// Fails on a text showing a key: `what` names where it came from.
fn assert_words(what: &str, text: &str) {
    assert!(!text.trim().is_empty(), "{what}: no words at all");
    if let Some(word) = identifier_in(text) {
        panic!("{what}: a raw key `{word}` in {text:?}");
    }
    let keys = keys();
    assert!(!keys.iter().any(|k| k == text.trim()), "{what}: the text is a key: {text:?}");
}

/// The quoted word right after each occurrence of `marker` in `source`.
fn quoted_after<'a>(source: &'a str, marker: &str) -> Vec<&'a str> {
    source
        .match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &source[i + marker.len()..];
            let rest = rest.strip_prefix('"')?;
            rest.split('"').next()
        })
        .collect()
}

/// The service's sources, by file name.
fn service_sources() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../service/src");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("the service's sources") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((path.display().to_string(), text));
            }
        }
    }
    assert!(out.len() > 5, "the service's sources were found: {}", out.len());
    out
}

#[test]
fn every_key_the_service_writes_has_words() {
    let mut kinds = Vec::new();
    let mut causes = Vec::new();
    let mut moved = Vec::new();
    for (file, source) in service_sources() {
        for marker in ["event(now, ", "event(at, "] {
            kinds.extend(quoted_after(&source, marker).into_iter().map(|k| (file.clone(), k.to_string())));
        }
        // A step built by hand: the `kind` of a `ReferralEvent { … }`.
        for (i, _) in source.match_indices("ReferralEvent {") {
            let body = &source[i..source[i..].find('}').map_or(source.len(), |e| i + e)];
            kinds.extend(quoted_after(body, "kind: ").into_iter().map(|k| (file.clone(), k.to_string())));
        }
        for line in source.lines().filter(|l| l.contains("self.escalate(") || l.contains("let why = ")) {
            let key = |k: &&str| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            let literals: Vec<&str> = line.split('"').skip(1).step_by(2).filter(key).collect();
            causes.extend(literals.into_iter().map(|k| (file.clone(), k.to_string())));
        }
        if file.ends_with("displacement.rs") {
            moved.extend(quoted_after(&source, "then_some(").into_iter().map(|k| (file.clone(), k.to_string())));
        }
    }
    assert!(kinds.len() >= 10, "the step kinds were found in the sources: {kinds:?}");
    assert!(causes.len() >= 3, "the escalation causes were found: {causes:?}");
    assert!(moved.len() >= 3, "the displacement causes were found: {moved:?}");
    for (file, k) in &kinds {
        assert!(
            EVENT_KINDS.contains(&k.as_str()),
            "{file} writes step kind `{k}`: add it to EVENT_KINDS with its words"
        );
    }
    causes.push(("engines".into(), carebridge_service::referrals::TOO_FAR.to_string()));
    for (file, k) in &causes {
        assert!(
            ESCALATION_CAUSES.contains(&k.as_str()),
            "{file} escalates for `{k}`: add it to ESCALATION_CAUSES with its words"
        );
    }
    for (file, k) in &moved {
        assert!(
            DISPLACEMENT_CAUSES.contains(&k.as_str()),
            "{file} displaces for `{k}`: add it to DISPLACEMENT_CAUSES with its words"
        );
    }
}

#[test]
fn every_step_kind_and_cause_reads_in_words() {
    for lang in LANGS {
        let tr = text_ranking::text(lang);
        for kind in EVENT_KINDS {
            let s = lang.event_sentence(kind, "Tongji", "a reason");
            assert_words(&format!("{lang:?} step `{kind}`"), &s);
            assert_ne!(s, tr.step_other, "{lang:?}: step `{kind}` has words of its own");
        }
        for why in ESCALATION_CAUSES {
            let s = lang.escalation_cause(why, 3);
            assert_words(&format!("{lang:?} escalation `{why}`"), &s);
            assert_ne!(s, tr.cause_other, "{lang:?}: escalation cause `{why}` has words of its own");
            let step = lang.event_sentence("escalated", "", &s);
            assert_words(&format!("{lang:?} escalated step `{why}`"), &step);
        }
        for why in DISPLACEMENT_CAUSES {
            let s = lang.displacement_cause(why);
            assert_words(&format!("{lang:?} displacement `{why}`"), &s);
            assert_ne!(s, tr.cause_other, "{lang:?}: displacement cause `{why}` has words of its own");
        }
        // An unknown key falls back to words, never to itself.
        assert_words("unknown step", &lang.event_sentence("some_new_kind", "X", "y"));
        assert_words("unknown cause", &lang.escalation_cause("some_new_cause", 0));
        assert_words("unknown displacement", &lang.displacement_cause("some_new_cause"));
        assert_words("unknown exclusion", &lang.exclusion("some_new_constraint", 2, "ICU", 60));
    }
}

fn event(kind: &str, at: i64, facility: Option<FacilityId>, detail: serde_json::Value) -> EventView {
    EventView {
        at: Timestamp::from_millis(at),
        kind: kind.into(),
        status: ReferralStatus::Pending,
        facility_id: facility,
        detail,
    }
}

/// A referral whose timeline holds every step kind, with every cause and constraint.
fn every_step() -> ReferralDetail {
    let now = 1_580_695_200_000;
    let f = Some(FacilityId::new_v7());
    let referral = Referral {
        id: ReferralId::new_v7(),
        draft: ReferralDraft {
            patient: PatientInfo {
                pseudonym: "p-words".into(),
                age_band: AgeBand::Senior,
                location: GeoPoint { lon: 114.3, lat: 30.55 },
                region_code: RegionCode::parse("420103").expect("a region"),
                infection: InfectionStatus::Negative,
            },
            need: ServiceKind::Dialysis,
            urgency: Urgency::Routine,
            needs_ambulance: false,
            schedule: None,
            note: String::new(),
        },
        status: ReferralStatus::Escalated,
        filed_by: UserId::new_v7(),
        filed_at: Timestamp::from_millis(now),
        wait_deadline: Timestamp::from_millis(now + 3_600_000),
        failed_offers: 2,
        placed_at: None,
        escalated_at: None,
        updated_at: Timestamp::from_millis(now),
    };
    let excluded: serde_json::Map<String, serde_json::Value> =
        Exclusion::ALL.iter().map(|e| (e.as_str().to_string(), json!(1))).collect();
    let mut events = Vec::new();
    for (i, kind) in EVENT_KINDS.iter().enumerate() {
        let at = now + i as i64 * 60_000;
        match *kind {
            "declined" => {
                for r in DeclineReason::ALL {
                    events.push(event(kind, at, f, json!({"reason": r.as_str(), "note": "Full tonight."})));
                }
            }
            "escalated" => {
                for why in ESCALATION_CAUSES {
                    events.push(event(kind, at, None, json!({"why": why, "failed_offers": 2})));
                }
            }
            "displaced" => {
                for why in DISPLACEMENT_CAUSES {
                    events.push(event(kind, at, f, json!({"why": why, "reason": "Ward for the virus."})));
                }
            }
            "constraints_overridden" => {
                let all: Vec<&str> = Exclusion::ALL.iter().map(|e| e.as_str()).collect();
                events.push(event(kind, at, f, json!({"constraints": all, "reason": "Airlift tonight."})));
            }
            "unplaced" => events.push(event(
                kind,
                at,
                None,
                json!({"considered": Exclusion::ALL.len(), "excluded": excluded, "travel_limit_minutes": 60}),
            )),
            "offered" => events.push(event(
                kind,
                at,
                f,
                json!({"chosen": {"distance_km": 12.5, "free_beds": 3, "travel_minutes": 24}}),
            )),
            "directed" => events.push(event(kind, at, f, json!({"note": "Nearest with a bed."}))),
            "cancelled" => events.push(event(kind, at, None, json!({"reason": "Transferred abroad."}))),
            _ => events.push(event(kind, at, f, json!({}))),
        }
    }
    ReferralDetail { referral, current_offer: None, offers: Vec::new(), events, version: 1 }
}

#[test]
fn a_timeline_of_every_step_shows_no_key() {
    let d = every_step();
    for lang in LANGS {
        let rows = timeline(lang, &d, &Names::default());
        assert_eq!(rows.len(), d.events.len());
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        for kind in EVENT_KINDS {
            assert!(kinds.contains(kind), "the timeline has a `{kind}` step");
        }
        for r in &rows {
            assert_words(&format!("{lang:?} timeline `{}`", r.kind), &r.text);
            for x in &r.extra {
                assert_words(&format!("{lang:?} timeline `{}` detail", r.kind), x);
            }
        }
    }
}

#[test]
fn every_enum_value_reads_in_words() {
    for lang in LANGS {
        let l = |what: &str, v: &str, text: &str| assert_words(&format!("{lang:?} {what} `{v}`"), text);
        for s in ReferralStatus::ALL {
            l("referral status", s.as_str(), lang.referral_status(*s));
            l("status sentence", s.as_str(), &lang.status_sentence(*s, Some("Tongji"), Some("10:00")));
        }
        for s in OfferStatus::ALL {
            l("offer status", s.as_str(), lang.offer_status(*s));
        }
        for r in DeclineReason::ALL {
            l("decline reason", r.as_str(), lang.decline_reason(*r));
        }
        for d in Designation::ALL {
            l("designation", d.as_str(), lang.designation(*d));
        }
        for s in ServiceKind::ALL {
            l("service", s.as_str(), &lang.service(*s));
        }
        for u in Unit::ALL {
            l("unit", u.as_str(), lang.unit(*u));
        }
        for u in Urgency::ALL {
            l("urgency", u.as_str(), lang.urgency(*u));
        }
        for i in InfectionStatus::ALL {
            l("infection", i.as_str(), lang.infection(*i));
        }
        for a in AgeBand::ALL {
            l("age band", a.as_str(), &lang.age_band(*a));
        }
        for v in FacilityLevel::ALL {
            l("level", v.as_str(), lang.level(*v));
        }
        for p in WeekdayPattern::ALL {
            l("weekdays", p.as_str(), lang.weekdays(*p));
        }
        for e in Exclusion::ALL {
            l("constraint", e.as_str(), &lang.constraint(*e));
            l("exclusion", e.as_str(), &lang.exclusion(e.as_str(), 3, &lang.service(ServiceKind::Icu), 60));
        }
        for r in carebridge_domain::user::Role::ALL {
            l("role", r.as_str(), super::text_users::role(lang, *r));
        }
        for a in [Absorb::NoCriticalCare, Absorb::Overwhelmed, Absorb::NearlyFull, Absorb::CanAbsorb] {
            l("protected-group verdict", &format!("{a:?}"), super::pages::placement::verdict(lang, a).0);
        }
    }
}

#[test]
fn the_check_catches_keys() {
    assert_eq!(identifier_in("Escalated to the coordinators: displaced_unplaced"), Some("displaced_unplaced"));
    assert_eq!(identifier_in("上报协调员：max_wait_passed"), Some("max_wait_passed"));
    assert_eq!(identifier_in("see /placement/referrals"), None);
    assert_eq!(identifier_in("Free beds 3 · 12.5 km"), None);
    assert_eq!(identifier_in("id 0192_abc"), None, "not a word of letters");
    let caught = std::panic::catch_unwind(|| assert_words("bare", "displaced"));
    assert!(caught.is_err(), "a bare key fails");
}
