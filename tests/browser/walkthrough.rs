//! The README's "Walkthrough", replayed in the pages of what `carebridge demo` starts with
//! (`TestApp::load_demo_as_shown`: the default seed and Union's dialysis patients), each story
//! on a desktop in English and on a 390 px phone in Chinese, through the forms only:
//!
//! - **The spinal tumour.** Union's clinician files a young adult needing neurosurgery; every
//!   neurosurgery ward within reach is full, so the referral is escalated at once instead of
//!   leaving the family to phone round. Tongji's desk reports a bed free; the offer follows at
//!   once; the desk accepts and admits; the clinician reads it on the timeline.
//! - **The dialysis displacement.** Wuhan's coordinator designates Union for the virus; the
//!   preview shows its three dialysis patients without a place within the hour's session limit
//!   (never sent to Hunan); applying needs a confirmation and an acknowledgement of each, and
//!   the stranded board then lists them.
//! - **The 75-year-old refused by five.** An oncology-surgery patient is offered in turn by
//!   each of five hospitals as their desks free a bed, and each declines with its reason; after
//!   the fifth the referral is escalated; the coordinator directs it to Union with an explicit
//!   override of the full ward, and Union's desk accepts and admits.

use crate::{sign_in, sign_out, WUHAN};
use carebridge_e2e::app::{spawn_app, Backend, DemoIds, TestApp, DEMO_PASSWORD};
use carebridge_e2e::browser::{Browser, BrowserOptions, PHONE};
use std::time::{Duration, Instant};

/// A screen and language the stories are told on.
#[derive(Debug, Clone, Copy)]
struct Screen {
    phone: bool,
    chinese: bool,
}

const DESKTOP_EN: Screen = Screen { phone: false, chinese: false };
const PHONE_ZH: Screen = Screen { phone: true, chinese: true };

/// A story as two tests: on a desktop in English, and on a phone in Chinese.
macro_rules! on_both_screens {
    ($story:ident: $desktop:ident, $phone:ident) => {
        #[tokio::test(flavor = "multi_thread")]
        async fn $desktop() {
            $story(DESKTOP_EN).await;
        }

        #[tokio::test(flavor = "multi_thread")]
        async fn $phone() {
            $story(PHONE_ZH).await;
        }
    };
}

/// The demo as `carebridge demo` shows it, and a browser on `screen`.
async fn walkthrough(screen: Screen) -> (TestApp, DemoIds, Browser) {
    let app = spawn_app(Backend::Sqlite).await.expect("the SQLite backend needs no configuration");
    let demo = app.load_demo_as_shown().await;
    let options = if screen.chinese { BrowserOptions::chinese() } else { BrowserOptions::default() };
    let b = Browser::launch_with(&app.address, options).await;
    if screen.phone {
        b.set_viewport(PHONE.0, PHONE.1).await;
    }
    (app, demo, b)
}

/// A page checked as the walkthrough passes it: in words, and on a phone within its width.
async fn check_page(b: &Browser, screen: Screen, page: &str) {
    b.assert_no_raw_keys(page).await;
    if screen.phone {
        b.assert_fits_phone(page).await;
    }
}

/// A referral as the clinician types it into the form.
struct Filing<'a> {
    pseudonym: &'a str,
    age_band: &'a str,
    region_code: &'a str,
    lon: &'a str,
    lat: &'a str,
    need: &'a str,
    urgency: &'a str,
    ambulance: bool,
    note: &'a str,
}

/// File `f` through the referral form; answers the referral's id (the browser is left on its
/// page).
async fn file_in_form(b: &Browser, screen: Screen, f: &Filing<'_>) -> String {
    b.click_and_wait(r#"header.site nav a[href="/referrals"]"#).await;
    b.click_and_wait(r#"a.button[href="/referrals/new"]"#).await;
    check_page(b, screen, "/referrals/new").await;
    b.type_into("#pseudonym", f.pseudonym).await;
    b.choose("#age_band", f.age_band).await;
    b.retype("#region_code", f.region_code).await;
    b.retype("#lon", f.lon).await;
    b.retype("#lat", f.lat).await;
    b.choose("#infection", "negative").await;
    b.choose("#need", f.need).await;
    b.choose("#urgency", f.urgency).await;
    if f.ambulance {
        b.click("#needs_ambulance").await;
    }
    b.type_into("#note", f.note).await;
    b.click_and_wait(r#"form.referral-form button[type="submit"]"#).await;
    let path = b.path().await;
    let id = path.strip_prefix("/referrals/").unwrap_or_else(|| panic!("to the referral's page, not {path}"));
    id.to_string()
}

/// The referral page's status badge classes (`s-escalated`, `s-admitted`, …).
async fn status_class(b: &Browser) -> String {
    b.attr("#referral-status", "class").await.unwrap_or_default()
}

/// The timeline's step kinds, oldest first.
async fn timeline_kinds(b: &Browser) -> Vec<String> {
    let v =
        b.js(r#"return [...document.querySelectorAll("ol.timeline > li")].map(li => li.dataset.kind);"#, vec![]).await;
    serde_json::from_value(v).expect("a list of kinds")
}

/// The signed-in desk reports one general-ward bed free on its capacity form (a discharge):
/// occupied set to one below the staffed beds.
async fn free_a_ward_bed(b: &Browser, screen: Screen) {
    b.click_and_wait(r#"header.site nav a[href="/desk/capacity"]"#).await;
    check_page(b, screen, "/desk/capacity").await;
    let staffed: i64 = b
        .prop("#general_ward_staffed", "value")
        .await
        .unwrap_or_default()
        .parse()
        .expect("the staffed beds, prefilled");
    let occupied: i64 =
        b.prop("#general_ward_occupied", "value").await.unwrap_or_default().parse().expect("occupancy, prefilled");
    assert!(occupied >= staffed, "the ward is full before the discharge: {occupied} of {staffed}");
    b.retype("#general_ward_occupied", &(staffed - 1).to_string()).await;
    b.click_and_wait(r#"form.capacity-form button[type="submit"]"#).await;
    assert_eq!(b.count(".notice").await, 1, "the report is saved: {}", b.text("main").await);
}

/// The signed-in desk's inbox, reloaded until the card of `pseudonym` is there (an offer that
/// follows a report is made just after the report's answer); answers the card's selector.
async fn inbox_card(b: &Browser, pseudonym: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        b.goto("/desk/offers").await;
        let cards = b.texts(".offer-card h2").await;
        if let Some(i) = cards.iter().position(|c| c.contains(pseudonym)) {
            return format!(".offer-card:nth-of-type({})", i + 1);
        }
        assert!(Instant::now() < deadline, "no offer for {pseudonym} in the inbox: {cards:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The signed-in desk accepts the offer on `card`, then admits the patient when they arrive.
async fn accept_and_admit(b: &Browser, screen: Screen, card: &str, pseudonym: &str) {
    check_page(b, screen, "/desk/offers").await;
    b.click_and_wait(&format!("{card} form.accept button[type=submit]")).await;
    assert_eq!(b.location().await, "/desk/offers?notice=accepted");
    let arriving = b.texts(".arriving-card").await;
    let i = arriving
        .iter()
        .position(|a| a.contains(pseudonym))
        .unwrap_or_else(|| panic!("{pseudonym} is expected on the desk's page: {arriving:?}"));
    b.click_and_wait(&format!(".arriving-card:nth-of-type({}) form button[type=submit]", i + 1)).await;
    let arriving = b.texts(".arriving-card").await;
    assert!(!arriving.iter().any(|a| a.contains(pseudonym)), "admitted, no longer expected: {arriving:?}");
}

async fn the_spinal_tumour(screen: Screen) {
    let (_app, _demo, b) = walkthrough(screen).await;
    let pseudonym = "spine-27";
    sign_in(&b, "dr-union", DEMO_PASSWORD).await;
    let id = file_in_form(
        &b,
        screen,
        &Filing {
            pseudonym,
            age_band: "young_adult",
            region_code: "420103",
            lon: "114.27",
            lat: "30.60",
            need: "neurosurgery",
            urgency: "urgent",
            ambulance: true,
            note: "胸椎管内肿瘤压迫脊髓，需手术。 / Spinal tumour compressing the cord at T10; surgery advised.",
        },
    )
    .await;
    // Every neurosurgery ward in reach is full: the coordinators know at once.
    assert!(status_class(&b).await.contains("s-escalated"), "escalated at once: {}", b.text("#status-sentence").await);
    assert_eq!(timeline_kinds(&b).await, ["filed", "unplaced", "escalated"]);
    check_page(&b, screen, "the escalated referral").await;

    // Tongji discharges a patient: its desk says so, and the bed is offered at once.
    sign_out(&b).await;
    sign_in(&b, "desk-tongji", DEMO_PASSWORD).await;
    free_a_ward_bed(&b, screen).await;
    let card = inbox_card(&b, pseudonym).await;
    accept_and_admit(&b, screen, &card, pseudonym).await;

    // The clinician reads it on the referral's page.
    sign_out(&b).await;
    sign_in(&b, "dr-union", DEMO_PASSWORD).await;
    b.goto(&format!("/referrals/{id}")).await;
    let admitted = if screen.chinese { "已入院" } else { "Admitted" };
    assert_eq!(b.text("#referral-status").await, admitted);
    assert!(status_class(&b).await.contains("s-placed"), "{:?}", status_class(&b).await);
    assert_eq!(timeline_kinds(&b).await, ["filed", "unplaced", "escalated", "offered", "accepted", "admitted"]);
    let offered = b.text("ol.timeline > li.ev-offered").await;
    let tongji = if screen.chinese { "同济" } else { "Tongji" };
    assert!(offered.contains(tongji), "offered at Tongji: {offered}");
    check_page(&b, screen, "the admitted referral").await;
}

on_both_screens!(
    the_spinal_tumour:
    the_spinal_tumour_is_escalated_at_once_then_offered_the_bed_a_desk_frees_desktop_en,
    the_spinal_tumour_is_escalated_at_once_then_offered_the_bed_a_desk_frees_phone_zh
);

async fn the_dialysis_displacement(screen: Screen) {
    let (app, demo, b) = walkthrough(screen).await;
    let union = demo.union.to_string();
    sign_in(&b, WUHAN, DEMO_PASSWORD).await;
    b.click_and_wait(r#"header.site nav a[href="/designations"]"#).await;
    check_page(&b, screen, "/designations").await;
    b.choose("#facility_id", &union).await;
    b.choose("#designation", "virus_designated").await;
    b.type_into("#order_number", "武防指〔2020〕40号").await;
    b.type_into("#reason", "协和医院转为新冠定点医院 / Union becomes a designated virus hospital").await;
    b.click_and_wait("form.order-form button[type=submit]").await;

    // The preview: the three are displaced, and nowhere within the hour takes them.
    let path = b.path().await;
    let plan = path.strip_prefix("/placement/displacements/").unwrap_or_else(|| panic!("the preview: {path}"));
    let plan = plan.to_string();
    check_page(&b, screen, "the displacement preview").await;
    let patients = b.texts("li.displaced-patient").await;
    for who in ["dialysis-56", "dialysis-63", "dialysis-71"] {
        assert!(patients.iter().any(|p| p.contains(who)), "{who} is displaced: {patients:?}");
    }
    assert_eq!(b.count("div.outcome.unplaced.too-far").await, 3, "none placed beyond the session limit");
    let too_far = if screen.chinese { "太远" } else { "Too far" };
    for t in b.texts("div.outcome.unplaced p:first-child").await {
        assert!(t.contains(too_far), "in words: {t}");
    }
    let api = app.get(&format!("/api/v1/placement/displacements/{plan}"), Some(WUHAN)).await;
    assert_eq!(api.json["placements"].as_array().map(Vec::len), Some(0), "{}", api.text);

    // Applying: acknowledge each patient left without a place, confirm.
    for ack in b.find_all("#acks input[type=checkbox]").await {
        b.step("acknowledge a patient left without a place", ack.click()).await;
    }
    b.click("#confirm").await;
    b.click_and_wait("#apply").await;
    assert_eq!(b.path().await, format!("/placement/displacements/{plan}"));
    assert_eq!(b.count("#apply").await, 0, "applied once");
    check_page(&b, screen, "the applied displacement").await;

    // The stranded board now lists the three, escalated, with no offer far away.
    b.click_and_wait("#to-stranded").await;
    assert_eq!(b.path().await, "/placement/board");
    let stranded = b.texts(".stranded-card").await;
    for who in ["dialysis-56", "dialysis-63", "dialysis-71"] {
        let card = stranded.iter().find(|c| c.contains(who)).unwrap_or_else(|| panic!("{who}: {stranded:?}"));
        let escalated = if screen.chinese { "已上报" } else { "Escalated" };
        assert!(card.contains(escalated), "{card}");
    }
    check_page(&b, screen, "/placement/board").await;
}

on_both_screens!(
    the_dialysis_displacement:
    the_dialysis_patients_are_stranded_in_words_never_sent_far_desktop_en,
    the_dialysis_patients_are_stranded_in_words_never_sent_far_phone_zh
);

/// The five hospitals that refuse the 75-year-old: the desk, the reason it gives (the key, in
/// English, in Chinese) and its note.
struct Refusal {
    desk: &'static str,
    reason: &'static str,
    en: &'static str,
    zh: &'static str,
    note: &'static str,
}

const REFUSALS: [Refusal; 5] = [
    Refusal {
        desk: "desk-tongji",
        reason: "no_specialist",
        en: "No specialist available",
        zh: "无相应专科医生",
        note: "Our oncology surgeons are deployed to the fever wards.",
    },
    Refusal {
        desk: "desk-renmin",
        reason: "no_staff",
        en: "Not enough staff",
        zh: "人手不足",
        note: "Half the theatre nurses are isolating.",
    },
    Refusal {
        desk: "desk-central",
        reason: "patient_too_severe",
        en: "Beyond this hospital's capability",
        zh: "病情超出本院救治能力",
        note: "Needs an ICU bed after surgery; ours are all virus patients.",
    },
    Refusal {
        desk: "desk-puai",
        reason: "no_bed",
        en: "No bed free",
        zh: "无空床",
        note: "The bed went to an emergency admission.",
    },
    Refusal {
        desk: "desk-asia-general",
        reason: "infection_control",
        en: "Infection control",
        zh: "感染控制原因",
        note: "The surgical floor is closed for disinfection.",
    },
];

async fn the_seventy_five_year_old(screen: Screen) {
    let (app, demo, b) = walkthrough(screen).await;
    let pseudonym = "senior-75";
    sign_in(&b, "dr-union", DEMO_PASSWORD).await;
    let id = file_in_form(
        &b,
        screen,
        &Filing {
            pseudonym,
            age_band: "senior",
            region_code: "420106",
            lon: "114.30",
            lat: "30.55",
            need: "oncology_surgery",
            urgency: "urgent",
            ambulance: false,
            note: "75岁，结肠癌，需手术切除。 / 75, colon cancer, resection advised.",
        },
    )
    .await;
    assert!(status_class(&b).await.contains("s-escalated"), "nothing free: {}", b.text("#status-sentence").await);

    // Five hospitals free a bed in turn; each is offered the patient and declines.
    for Refusal { desk, reason, note, .. } in REFUSALS {
        sign_out(&b).await;
        sign_in(&b, desk, DEMO_PASSWORD).await;
        free_a_ward_bed(&b, screen).await;
        let card = inbox_card(&b, pseudonym).await;
        check_page(&b, screen, "/desk/offers").await;
        b.choose(&format!("{card} form.decline select[name=reason]"), reason).await;
        b.type_into(&format!("{card} form.decline input[name=note]"), note).await;
        b.click_and_wait(&format!("{card} form.decline button[type=submit]")).await;
        assert_eq!(b.location().await, "/desk/offers?notice=declined", "{desk}");
    }

    // After the fifth, the coordinators have it: the stranded board lists every refusal, and
    // why nothing else fits.
    sign_out(&b).await;
    sign_in(&b, WUHAN, DEMO_PASSWORD).await;
    b.goto("/placement/board").await;
    let card = format!("#stranded-{id}");
    assert_eq!(b.count(&card).await, 1, "on the stranded board");
    let reasons = b.texts(&format!("{card} ul.reasons > li")).await;
    for r in &REFUSALS {
        let words = if screen.chinese { r.zh } else { r.en };
        assert!(reasons.iter().any(|l| l.ends_with(words)), "{}'s refusal is listed: {reasons:?}", r.desk);
    }
    assert!(reasons.len() > REFUSALS.len(), "and why no other facility fits: {reasons:?}");
    check_page(&b, screen, "/placement/board").await;

    // The coordinator directs the patient to Union, overriding its full ward on purpose.
    b.goto(&format!("/referrals/{id}")).await;
    assert!(status_class(&b).await.contains("s-escalated"), "{}", b.text("#status-sentence").await);
    assert_eq!(timeline_kinds(&b).await.iter().filter(|k| *k == "declined").count(), 5);
    let declines = b.texts("ol.timeline > li.ev-declined").await;
    for r in &REFUSALS {
        assert!(declines.iter().any(|d| d.contains(r.note)), "the note of {} on the timeline: {declines:?}", r.desk);
    }
    b.click_and_wait("#direct-link").await;
    check_page(&b, screen, "the directed-placement form").await;
    let union = demo.union.to_string();
    b.click(&format!(r#"li.choice[data-facility="{union}"] input[type=radio]"#)).await;
    b.retype("#note", "协和肿瘤外科同意加床 / Union's oncology surgeons take her on an extra bed.").await;
    b.click_and_wait("#direct-form button[type=submit]").await;
    let boxes = b.find_all("#override input[type=checkbox]").await;
    assert!(!boxes.is_empty(), "the full ward is a constraint to override on purpose");
    for c in boxes {
        b.step("tick an override", c.click()).await;
    }
    b.type_into("#override_reason", "Five refusals; Union's chief of surgery agreed by phone.").await;
    b.click_and_wait("#override-submit").await;
    assert_eq!(b.location().await, format!("/referrals/{id}?notice=directed_override"));
    check_page(&b, screen, "the directed referral").await;

    // Union's desk accepts and admits.
    sign_out(&b).await;
    sign_in(&b, "desk-union", DEMO_PASSWORD).await;
    let card = inbox_card(&b, pseudonym).await;
    accept_and_admit(&b, screen, &card, pseudonym).await;
    let r = app.get(&format!("/api/v1/referrals/{id}"), Some(WUHAN)).await;
    assert_eq!(r.json["status"], "admitted", "{}", r.text);
    assert_eq!(r.json["failed_offers"], 5, "{}", r.text);
}

on_both_screens!(
    the_seventy_five_year_old:
    the_seventy_five_year_old_refused_by_five_is_directed_with_an_override_desktop_en,
    the_seventy_five_year_old_refused_by_five_is_directed_with_an_override_phone_zh
);
