//! The `carebridge` binary as an operator runs it: `migrate`, `user add`, `import`, `export`,
//! `serve` and `demo`, each spawned as a real process on a fresh SQLite file, with its exit code,
//! standard output and standard error checked, and the database file read directly to prove
//! what a refused command did not write.

mod common;

use common::{http, parse_csv, rfc3339, run, sign_in, token, Server, TestDb, OPS_PASSWORD};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Five real hospitals in Wuhan and Beijing; the first address needs CSV quoting, services are
/// out of order and one yes/no is spelled `yes`, as hand-made spreadsheets do.
const FACILITIES: &str = "\
id,name_zh,name_en,region_code,level,lon,lat,address,phone,services,takes_new_patients
,武汉大学人民医院,Renmin Hospital of Wuhan University,420106,tertiary,114.3162,30.5546,\"解放路238号, 东院\",027-88041911,icu;emergency;fever_clinic,true
,华中科技大学同济医学院附属协和医院,Wuhan Union Hospital,420103,tertiary,114.2812,30.5841,解放大道1277号,027-85726114,respiratory;icu;emergency,yes
,武汉市金银潭医院,Wuhan Jinyintan Hospital,420112,tertiary,114.2569,30.6531,银潭路1号,027-85812999,isolation_ward;respiratory,true
,首都医科大学附属北京朝阳医院,Beijing Chao-Yang Hospital,110105,tertiary,116.452,39.924,工人体育场南路8号,010-85231000,icu;emergency;cardiology,true
,北京大学第三医院,Peking University Third Hospital,110108,tertiary,116.356,39.982,花园北路49号,010-82266699,emergency;orthopedics,false
";

const FACILITY_HEADER: &str = "id,name_zh,name_en,region_code,level,lon,lat,address,phone,services,takes_new_patients";

/// A database with [`FACILITIES`] imported; returns facility ids by English name.
fn with_facilities() -> (TestDb, BTreeMap<String, String>) {
    let db = TestDb::new();
    let file = db.write_file("facilities.csv", FACILITIES.as_bytes());
    db.run(&["import", "facilities", file.to_str().expect("UTF-8 path")], None).success();
    let ids = facility_ids(&db);
    assert_eq!(ids.len(), 5, "expected the 5 imported facilities in the export, got {ids:?}");
    (db, ids)
}

/// English name → id, from `export facilities -`.
fn facility_ids(db: &TestDb) -> BTreeMap<String, String> {
    let out = db.run(&["export", "facilities", "-"], None).success();
    parse_csv(&out.stdout_bytes).into_iter().map(|r| (r["name_en"].clone(), r["id"].clone())).collect()
}

#[test]
fn migrate_applies_the_migrations_then_says_up_to_date() {
    let db = TestDb::new();
    assert!(!db.path.exists());
    let first = db.run(&["migrate"], None).success();
    assert!(
        first.stdout.starts_with("applied migrations: [") && !first.stdout.contains("[]"),
        "a fresh file should list the migrations applied\n{}",
        first.describe()
    );
    assert!(db.path.exists(), "migrate should create {} (and its directory)", db.path.display());

    let second = db.run(&["migrate"], None).success();
    assert_eq!(second.stdout.trim(), "database is up to date", "\n{}", second.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_reads_the_password_from_stdin_and_the_account_signs_in() {
    let db = TestDb::new();
    let out = db
        .run(
            &["user", "add", "--username", "ops-lead", "--role", "national_coordinator"],
            Some(&format!("{OPS_PASSWORD}\n")),
        )
        .success();
    assert!(
        out.stdout.starts_with("created ops-lead (national_coordinator) id "),
        "unexpected confirmation\n{}",
        out.describe()
    );
    // A Windows line end from a pipe is not part of the password.
    db.run(
        &["user", "add", "--username", "wuhan-lead", "--role", "city_coordinator", "--scope", "420100"],
        Some("wuhan-lead-password\r\n"),
    )
    .success();

    let taken =
        db.run(&["user", "add", "--username", "ops-lead", "--role", "auditor"], Some("another-long-password\n"));
    assert_ne!(taken.code(), Some(0), "a taken username must be refused\n{}", taken.describe());
    assert!(taken.stderr.contains("username is taken"), "the refusal should say why\n{}", taken.describe());
    assert_eq!(db.count("users").await, 2, "the refused duplicate must not be stored");
    assert_eq!(
        db.count("audit_log WHERE action = 'user.create' AND actor_name = 'system:console'").await,
        2,
        "each console-created account is audited once"
    );

    let server = db.serve();
    let client = http();
    let ops = token(&client, &server, "ops-lead", OPS_PASSWORD).await;
    let wuhan = token(&client, &server, "wuhan-lead", "wuhan-lead-password").await;
    let (status, body) = sign_in(&client, &server, "ops-lead", "wrong-password-123").await;
    assert_eq!(status, 401, "a wrong password must not sign in: {body}");

    for (token, username, role, scope) in
        [(&ops, "ops-lead", "national_coordinator", None), (&wuhan, "wuhan-lead", "city_coordinator", Some("420100"))]
    {
        let res = client.get(server.url("/api/v1/auth/me")).bearer_auth(token).send().await.expect("GET /auth/me");
        assert_eq!(res.status().as_u16(), 200, "GET /api/v1/auth/me as {username}");
        let me: serde_json::Value = res.json().await.expect("a JSON body");
        assert_eq!(me["username"], username, "{me}");
        assert_eq!(me["role"], role, "{me}");
        if let Some(code) = scope {
            assert!(me["scope"].to_string().contains(code), "{username} should be scoped to {code}: {me}");
        }
    }
    server.stop_cleanly();
}

/// One way `user add` must refuse, and what it must say.
struct Refusal {
    name: &'static str,
    args: &'static [&'static str],
    stdin: Option<&'static str>,
    code: i32,
    says: &'static [&'static str],
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_refuses_bad_input_and_stores_nothing() {
    const ROLES: &[&str] = &[
        "national_coordinator",
        "provincial_coordinator",
        "city_coordinator",
        "facility_desk",
        "clinician",
        "patient",
        "auditor",
    ];
    let cases = [
        Refusal {
            name: "short password",
            args: &["--username", "ops-lead", "--role", "national_coordinator"],
            stdin: Some("short\n"),
            code: 2,
            says: &["error: password must be at least 12 characters"],
        },
        Refusal {
            name: "empty standard input",
            args: &["--username", "ops-lead", "--role", "national_coordinator"],
            stdin: None,
            code: 2,
            says: &["error: password must be at least 12 characters"],
        },
        Refusal {
            name: "unknown role",
            args: &["--username", "ops-lead", "--role", "overlord"],
            stdin: Some("long-enough-password\n"),
            code: 1,
            says: &["--role", "`overlord` is not one of"],
        },
        Refusal {
            name: "unknown region scope",
            args: &["--username", "city-lead", "--role", "city_coordinator", "--scope", "999999"],
            stdin: Some("long-enough-password\n"),
            code: 2,
            says: &["error: scope `999999` is not a known GB/T 2260 region code"],
        },
        Refusal {
            name: "malformed region scope",
            args: &["--username", "city-lead", "--role", "city_coordinator", "--scope", "wuhan"],
            stdin: Some("long-enough-password\n"),
            code: 2,
            says: &["error: scope `wuhan` is not a six-digit GB/T 2260 region code"],
        },
        Refusal {
            name: "coordinator without a scope",
            args: &["--username", "city-lead", "--role", "city_coordinator"],
            stdin: Some("long-enough-password\n"),
            code: 2,
            says: &["error: scope a region code is required"],
        },
        Refusal {
            name: "national coordinator with a scope",
            args: &["--username", "ops-lead", "--role", "national_coordinator", "--scope", "420100"],
            stdin: Some("long-enough-password\n"),
            code: 2,
            says: &["error: scope", "has no scope"],
        },
        Refusal {
            name: "desk scoped to a facility that does not exist",
            args: &[
                "--username",
                "desk-x",
                "--role",
                "facility_desk",
                "--scope",
                "0190a6f4-7c1e-7b3a-9d2e-000000000001",
            ],
            stdin: Some("long-enough-password\n"),
            code: 2,
            says: &["error: scope no facility `0190a6f4-7c1e-7b3a-9d2e-000000000001`"],
        },
    ];
    let db = TestDb::new();
    db.run(&["migrate"], None).success();
    for case in &cases {
        let mut args = vec!["user", "add"];
        args.extend(case.args);
        let out = db.run(&args, case.stdin);
        assert_eq!(out.code(), Some(case.code), "case `{}`: exit code\n{}", case.name, out.describe());
        for needle in case.says {
            assert!(
                out.stderr.contains(needle),
                "case `{}`: stderr should contain {needle:?}\n{}",
                case.name,
                out.describe()
            );
        }
        if case.name == "unknown role" {
            for role in ROLES {
                assert!(out.stderr.contains(role), "the unknown-role message should list `{role}`\n{}", out.describe());
            }
        }
        assert!(!out.stdout.contains("created"), "case `{}` printed a confirmation\n{}", case.name, out.describe());
    }
    assert_eq!(db.count("users").await, 0, "no refused `user add` may store an account");
    assert_eq!(db.count("audit_log").await, 0, "no refused `user add` may write to the audit log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_facilities_then_export_round_trips() {
    let db = TestDb::new();
    let file = db.write_file("facilities.csv", FACILITIES.as_bytes());
    let out = db.run(&["import", "facilities", file.to_str().expect("UTF-8 path")], None).success();
    assert!(
        out.stdout.contains("imported 5 record(s)") && out.stdout.contains("5 created, 0 updated"),
        "\n{}",
        out.describe()
    );

    let export = db.run(&["export", "facilities", "-"], None).success();
    assert!(export.stdout_bytes.starts_with(b"\xEF\xBB\xBF"), "exports start with a UTF-8 BOM for Excel");
    assert!(export.stderr.contains("exported 5 facilities"), "\n{}", export.describe());
    let rows = parse_csv(&export.stdout_bytes);
    let by_name: BTreeMap<&str, &BTreeMap<String, String>> = rows.iter().map(|r| (r["name_en"].as_str(), r)).collect();
    let wanted = parse_csv(FACILITIES.as_bytes());
    assert_eq!(rows.len(), wanted.len(), "export:\n{}", export.stdout);
    for w in &wanted {
        let got = by_name
            .get(w["name_en"].as_str())
            .unwrap_or_else(|| panic!("{} missing from\n{}", w["name_en"], export.stdout));
        for column in ["name_zh", "region_code", "level", "address", "phone"] {
            assert_eq!(got[column], w[column], "{} column {column}", w["name_en"]);
        }
        for column in ["lon", "lat"] {
            let (a, b): (f64, f64) = (got[column].parse().expect("a number"), w[column].parse().expect("a number"));
            assert!((a - b).abs() < 1e-9, "{} column {column}: {a} vs {b}", w["name_en"]);
        }
        let services = |s: &str| s.split(';').map(str::to_string).collect::<BTreeSet<_>>();
        assert_eq!(services(&got["services"]), services(&w["services"]), "{} services", w["name_en"]);
        let yes = matches!(w["takes_new_patients"].as_str(), "true" | "yes");
        assert_eq!(got["takes_new_patients"], yes.to_string(), "{} takes_new_patients", w["name_en"]);
        assert!(!got["id"].is_empty(), "{} has no id in the export", w["name_en"]);
    }

    // The export written to a file is the same bytes, and importing it updates, never creates.
    let exported = db.dir().join("export.csv");
    db.run(&["export", "facilities", exported.to_str().expect("UTF-8 path")], None).success();
    let file_bytes = std::fs::read(&exported).expect("reading the export file");
    assert_eq!(file_bytes, export.stdout_bytes, "`export facilities FILE` and `export facilities -` differ");
    let again = db.run(&["import", "facilities", exported.to_str().expect("UTF-8 path")], None).success();
    assert!(
        again.stdout.contains("0 created, 5 updated"),
        "re-importing an export must only update\n{}",
        again.describe()
    );
    assert_eq!(db.count("facilities").await, 5, "re-importing an export must not add facilities");
    assert_eq!(db.count("audit_log WHERE action = 'facility.create'").await, 5);
    assert_eq!(db.count("audit_log WHERE action = 'facility.update'").await, 5);
    let after = db.run(&["export", "facilities", "-"], None).success();
    assert_eq!(
        after.stdout, export.stdout,
        "export → import → export must give the same file (the round trip changed something)"
    );
}

/// A file `import` must refuse, and where it must say the problem is.
struct BadFile {
    name: &'static str,
    what: &'static str,
    bytes: Vec<u8>,
    line: u64,
    /// `None` when the product names only the line (a row with the wrong number of fields).
    column: Option<&'static str>,
    why: &'static str,
}

/// Everything a refused import could have touched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    facilities_csv: String,
    capacity_csv: String,
    counts: Vec<(&'static str, i64)>,
}

async fn snapshot(db: &TestDb) -> Snapshot {
    let mut counts = Vec::new();
    for table in ["facilities", "capacity_reports", "capacity_now", "audit_log", "users"] {
        counts.push((table, db.count(table).await));
    }
    counts.push(("unit reports", db.unit_reports().await));
    Snapshot {
        facilities_csv: db.run(&["export", "facilities", "-"], None).success().stdout,
        capacity_csv: db.run(&["export", "capacity", "-"], None).success().stdout,
        counts,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_are_refused_with_line_and_column_and_change_nothing() {
    let (db, ids) = with_facilities();
    let renmin = &ids["Renmin Hospital of Wuhan University"];
    let union = &ids["Wuhan Union Hospital"];
    let t1 = rfc3339(common::now_millis() - 3 * 3_600_000);
    let t2 = rfc3339(common::now_millis() - 2 * 3_600_000);
    let good_capacity = format!(
        "facility_id,as_of,unit,physical,staffed,occupied\n\
         {renmin},{t1},icu,30,28,25\n{renmin},{t1},general_ward,800,760,790\n{union},{t1},icu,50,45,40\n"
    );
    let file = db.write_file("capacity.csv", good_capacity.as_bytes());
    db.run(&["import", "capacity", file.to_str().expect("UTF-8 path")], None).success();

    let new_row = |name: &str, region: &str| {
        format!(",{name}医院,{name} Hospital,{region},secondary,114.3,30.6,测试路1号,027-1,icu,true\n")
    };
    let mut invalid_utf8 = format!("{FACILITY_HEADER}\n{}", new_row("Hankou", "420102")).into_bytes();
    invalid_utf8
        .extend_from_slice(b",\xff\xfe\xe6\x96\xb0\xe5,Broken Hospital,420103,secondary,114.3,30.6,x,027-1,icu,true\n");
    invalid_utf8.extend_from_slice(new_row("Wuchang", "420106").as_bytes());
    // An existing facility renamed on line 2 must stay unrenamed when line 4 is refused.
    let renamed = format!(
        "{renmin},改名医院,Renamed Hospital,420106,tertiary,114.3162,30.5546,解放路238号,027-88041911,icu,true\n"
    );
    let cases = [
        BadFile {
            name: "invalid UTF-8 bytes on line 3",
            what: "facilities",
            bytes: invalid_utf8,
            line: 3,
            column: Some("name_zh"),
            why: "is not valid UTF-8",
        },
        BadFile {
            name: "unknown region 999999",
            what: "facilities",
            bytes: format!("{FACILITY_HEADER}\n{renamed}{}{}", new_row("Hanyang", "420105"), new_row("Nowhere", "999999"))
                .into_bytes(),
            line: 4,
            column: Some("region_code"),
            why: "`999999` is not a known GB/T 2260 region code",
        },
        BadFile {
            name: "staffed above physical",
            what: "capacity",
            bytes: format!(
                "facility_id,as_of,unit,physical,staffed,occupied\n\
                 {renmin},{t2},icu,30,29,27\n{renmin},{t2},general_ward,800,700,650\n{union},{t2},icu,10,12,3\n"
            )
            .into_bytes(),
            line: 4,
            column: Some("staffed"),
            why: "staffed (12) must not exceed physical (10)",
        },
        BadFile {
            name: "a required column missing",
            what: "facilities",
            bytes: "name_zh,name_en,region_code,level,lon,lat,address,services,takes_new_patients\n\
                    汉口医院,Hankou Hospital,420102,secondary,114.3,30.6,测试路1号,icu,true\n"
                .as_bytes()
                .to_vec(),
            line: 1,
            column: Some("phone"),
            why: "required column is missing from the header",
        },
        BadFile {
            name: "ragged row",
            what: "facilities",
            bytes: format!(
                "{FACILITY_HEADER}\n{}{}",
                new_row("Hankou", "420102"),
                ",短行医院,Short Row Hospital,420103,secondary,114.3,30.6,x,027-1,icu\n"
            )
            .into_bytes(),
            line: 3,
            column: Some("takes_new_patients"),
            why: "the row has 10 fields but the header has 11",
        },
        BadFile {
            name: "a designation column",
            what: "facilities",
            bytes: format!("{FACILITY_HEADER},designation\n,x医院,X Hospital,420102,secondary,114.3,30.6,x,1,icu,true,virus_designated\n")
                .into_bytes(),
            line: 1,
            column: Some("designation"),
            why: "designations are orders, not fields",
        },
        BadFile {
            name: "capacity for a facility that does not exist",
            what: "capacity",
            bytes: format!(
                "facility_id,as_of,unit,physical,staffed,occupied\n\
                 {renmin},{t2},icu,30,29,27\n0190a6f4-7c1e-7b3a-9d2e-0000000000ff,{t2},icu,10,9,3\n"
            )
            .into_bytes(),
            line: 3,
            column: Some("facility_id"),
            why: "no such facility",
        },
        BadFile {
            name: "a report's rows split apart",
            what: "capacity",
            bytes: format!(
                "facility_id,as_of,unit,physical,staffed,occupied\n\
                 {renmin},{t2},icu,30,29,27\n{union},{t2},icu,50,45,40\n{renmin},{t2},general_ward,800,700,650\n"
            )
            .into_bytes(),
            line: 4,
            column: Some("as_of"),
            why: "keep a report's rows together",
        },
    ];

    let before = snapshot(&db).await;
    for (i, case) in cases.iter().enumerate() {
        let path = db.write_file(&format!("bad-{i}.csv"), &case.bytes);
        let out = db.run(&["import", case.what, path.to_str().expect("UTF-8 path")], None);
        assert_eq!(out.code(), Some(2), "case `{}`: a bad file exits 2\n{}", case.name, out.describe());
        let place = match case.column {
            Some(c) => format!("error: {}: line {}, column \"{c}\": ", path.display(), case.line),
            None => format!("error: {}: line {}: ", path.display(), case.line),
        };
        assert!(
            out.stderr.contains(&place),
            "case `{}`: stderr should point at {place:?}\n{}",
            case.name,
            out.describe()
        );
        assert!(
            out.stderr.contains(case.why),
            "case `{}`: stderr should say {:?}\n{}",
            case.name,
            case.why,
            out.describe()
        );
        assert!(out.stderr.contains("nothing was imported"), "case `{}`\n{}", case.name, out.describe());
        assert!(!out.stdout.contains("imported"), "case `{}` printed a success line\n{}", case.name, out.describe());
        let now = snapshot(&db).await;
        assert_eq!(now, before, "case `{}` changed the database although it was refused", case.name);
    }
}

/// `(facility id, unit)` → `(as_of, physical, staffed, occupied)` from a capacity export.
fn standing(csv: &[u8]) -> BTreeMap<(String, String), (String, i64, i64, i64)> {
    let n = |s: &str| s.parse::<i64>().unwrap_or_else(|e| panic!("{s:?} in the capacity export: {e}"));
    parse_csv(csv)
        .into_iter()
        .map(|r| {
            (
                (r["facility_id"].clone(), r["unit"].clone()),
                (r["as_of"].clone(), n(&r["physical"]), n(&r["staffed"]), n(&r["occupied"])),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_capacity_then_export_shows_the_standing_numbers() {
    let (db, ids) = with_facilities();
    let renmin = &ids["Renmin Hospital of Wuhan University"];
    let union = &ids["Wuhan Union Hospital"];
    let t1 = rfc3339(common::now_millis() - 2 * 3_600_000);
    let t2 = rfc3339(common::now_millis() - 3_600_000);
    // Renmin reports twice; the later report replaces ICU only. Union's rows come first, and an
    // older report listed after a newer one must not replace it.
    let csv = format!(
        "facility_id,as_of,unit,physical,staffed,occupied\n\
         {union},{t2},icu,50,45,40\n{union},{t2},isolation,200,180,150\n\
         {renmin},{t2},icu,30,30,31\n\
         {renmin},{t1},icu,30,28,25\n{renmin},{t1},general_ward,800,760,790\n\
         {union},{t1},icu,50,50,50\n"
    );
    let file = db.write_file("capacity.csv", csv.as_bytes());
    let out = db.run(&["import", "capacity", file.to_str().expect("UTF-8 path")], None).success();
    assert!(out.stdout.contains("4 report(s), 6 unit row(s)"), "\n{}", out.describe());
    assert_eq!(db.count("capacity_reports").await, 4, "every report is kept as history");
    assert_eq!(db.unit_reports().await, 6, "every unit row is kept as history");
    assert_eq!(db.count("audit_log WHERE action = 'capacity.import'").await, 1, "an import is audited once");

    let export = db.run(&["export", "capacity", "-"], None).success();
    assert!(export.stderr.contains("exported the current capacity of 2 facilities"), "\n{}", export.describe());
    let got: BTreeMap<_, _> =
        standing(&export.stdout_bytes).into_iter().map(|(k, (_, p, s, o))| (k, (p, s, o))).collect();
    let key = |f: &str, u: &str| (f.to_string(), u.to_string());
    let wanted = BTreeMap::from([
        (key(renmin, "icu"), (30, 30, 31)),
        (key(renmin, "general_ward"), (800, 760, 790)),
        (key(union, "icu"), (50, 45, 40)),
        (key(union, "isolation"), (200, 180, 150)),
    ]);
    assert_eq!(got, wanted, "standing numbers in\n{}", export.stdout);
    let union_times: BTreeSet<String> = parse_csv(&export.stdout_bytes)
        .into_iter()
        .filter(|r| &r["facility_id"] == union)
        .map(|r| r["as_of"].clone())
        .collect();
    assert_eq!(union_times, BTreeSet::from([t2.clone()]), "Union's standing report is the one at {t2}");

    // The export is itself an importable capacity file: it adds history, not new standing numbers.
    let exported = db.write_file("current.csv", &export.stdout_bytes);
    db.run(&["import", "capacity", exported.to_str().expect("UTF-8 path")], None).success();
    let again = db.run(&["export", "capacity", "-"], None).success();
    let numbers =
        |csv: &[u8]| -> BTreeMap<_, _> { standing(csv).into_iter().map(|(k, (_, p, s, o))| (k, (p, s, o))).collect() };
    assert_eq!(numbers(&again.stdout_bytes), wanted, "re-importing the export changed the standing numbers");
}

/// Regression: `export capacity` stamps every unit of a facility with the facility's latest
/// as-of time, so a unit last reported hours earlier looks fresh in the file and, re-imported,
/// in the registry. crates/cli/src/commands/export.rs says "group by their as-of time" but
/// `store::capacity::current` keeps one `as_of` per facility (the maximum).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_capacity_keeps_each_units_own_as_of() {
    let (db, ids) = with_facilities();
    let renmin = &ids["Renmin Hospital of Wuhan University"];
    let t1 = rfc3339(common::now_millis() - 20 * 3_600_000);
    let t2 = rfc3339(common::now_millis() - 3_600_000);
    let csv = format!(
        "facility_id,as_of,unit,physical,staffed,occupied\n\
         {renmin},{t1},icu,30,28,25\n{renmin},{t1},general_ward,800,760,790\n{renmin},{t2},general_ward,800,770,700\n"
    );
    let file = db.write_file("capacity.csv", csv.as_bytes());
    db.run(&["import", "capacity", file.to_str().expect("UTF-8 path")], None).success();
    let export = db.run(&["export", "capacity", "-"], None).success();
    let got = standing(&export.stdout_bytes);
    let icu = &got[&(renmin.clone(), "icu".to_string())];
    let ward = &got[&(renmin.clone(), "general_ward".to_string())];
    assert_eq!(ward, &(t2.clone(), 800, 770, 700), "general ward stands from the {t2} report");
    assert_eq!(
        icu,
        &(t1.clone(), 30, 28, 25),
        "ICU was last reported at {t1} (20 h ago, stale) but the export dates it {}: \
         exporting then re-importing would make stale ICU numbers look fresh\n{}",
        icu.0,
        export.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_generated_capacity_file_imports() {
    const FACILITIES_N: usize = 40;
    const TIMES: i64 = 150;
    let db = TestDb::new();
    let file = db.write_file("facilities.csv", common::generated_facilities_csv(FACILITIES_N).as_bytes());
    db.run(&["import", "facilities", file.to_str().expect("UTF-8 path")], None).success();
    let ids: Vec<String> = facility_ids(&db).into_values().collect();
    assert_eq!(ids.len(), FACILITIES_N);

    // Every facility reports two units every 10 minutes for 25 hours, ending an hour ago.
    let start = common::now_millis() - 3_600_000 - TIMES * 600_000;
    let mut csv = String::from("facility_id,as_of,unit,physical,staffed,occupied\n");
    let mut last = BTreeMap::new();
    for t in 0..TIMES {
        let as_of = rfc3339(start + t * 600_000);
        for (i, id) in ids.iter().enumerate() {
            let i = i as i64;
            let ward = (500 + i, 450 + i - t % 20, (t * 7 + i) % 600);
            let icu = (40, 36 - t % 5, (t + i) % 45);
            csv.push_str(&format!("{id},{as_of},general_ward,{},{},{}\n", ward.0, ward.1, ward.2));
            csv.push_str(&format!("{id},{as_of},icu,{},{},{}\n", icu.0, icu.1, icu.2));
            last.insert((id.clone(), "general_ward".to_string()), (as_of.clone(), ward.0, ward.1, ward.2));
            last.insert((id.clone(), "icu".to_string()), (as_of.clone(), icu.0, icu.1, icu.2));
        }
    }
    let rows = TIMES as usize * FACILITIES_N * 2;
    assert!(csv.len() > 256 * 1024, "the file should be large enough for the progress bar path");
    let file = db.write_file("capacity-large.csv", csv.as_bytes());

    let started = std::time::Instant::now();
    let out = db.run(&["import", "capacity", file.to_str().expect("UTF-8 path")], None).success();
    let took = started.elapsed();
    let reports = TIMES as usize * FACILITIES_N;
    assert!(
        out.stdout.contains(&format!("imported {reports} record(s)"))
            && out.stdout.contains(&format!("{reports} report(s), {rows} unit row(s)")),
        "\n{}",
        out.describe()
    );
    assert!(
        !out.stderr.contains("reading ["),
        "the progress bar must stay hidden when stderr is not a terminal\n{}",
        out.describe()
    );
    assert!(took < Duration::from_secs(120), "importing {rows} rows took {took:?}");
    assert_eq!(db.unit_reports().await, rows as i64);
    // One standing row per facility, both of its reported units set and no other.
    assert_eq!(db.count("capacity_now").await, FACILITIES_N as i64);
    assert_eq!(
        db.count("capacity_now WHERE general_ward_seq IS NOT NULL AND icu_seq IS NOT NULL AND maternity_seq IS NULL")
            .await,
        FACILITIES_N as i64
    );
    assert_eq!(db.count("audit_log WHERE action = 'capacity.import'").await, 1);

    let export = db.run(&["export", "capacity", "-"], None).success();
    assert_eq!(standing(&export.stdout_bytes), last, "the standing numbers are the last report's");
}

#[test]
fn serve_refuses_a_database_url_it_does_not_support() {
    let db = TestDb::new();
    for (url, shown) in
        [("mysql://x", "mysql://x"), ("mysql://admin:hunter2@db.internal/cb", "mysql://admin:***@db.internal/cb")]
    {
        let out = run(db.dir(), &["serve", "--database-url", url, "--listen", "127.0.0.1:0"], None);
        assert_ne!(out.code(), Some(0), "serve must fail on {url}\n{}", out.describe());
        assert!(out.code().is_some(), "serve should exit, not die by a signal\n{}", out.describe());
        assert!(
            out.stderr.contains(&format!("error: connecting to {shown}"))
                && out.stderr.contains("unsupported database URL")
                && out.stderr.contains("sqlite://PATH"),
            "the refusal should name the URL (password hidden) and the schemes that work\n{}",
            out.describe()
        );
        assert!(!out.stderr.contains("hunter2"), "the password leaked into the message\n{}", out.describe());
        assert!(!out.stdout.contains(common::LISTENING), "serve must not listen\n{}", out.describe());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_never_creates_default_accounts() {
    let db = TestDb::new();
    db.run(&["migrate"], None).success();
    let server = db.serve();
    let client = http();
    for username in ["nhc", "hubei", "wuhan", "desk-union", "auditor", "admin"] {
        let (status, body) = sign_in(&client, &server, username, "carebridge-demo").await;
        assert_eq!(status, 401, "`serve` must not create `{username}`: {body}");
    }
    let ready = client.get(server.url("/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(db.count("users").await, 0, "`serve` created accounts");
    server.stop_cleanly();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_prints_its_accounts_serves_and_exits_cleanly_on_sigterm() {
    const ACCOUNTS: &[&str] = &[
        "nhc",
        "hubei",
        "wuhan",
        "beijing",
        "shanghai",
        "desk-union",
        "desk-tongji",
        "desk-renmin",
        "desk-central",
        "desk-puai",
        "desk-asia-general",
        "desk-pumch",
        "dr-union",
        "auditor",
        "patient-demo",
        "patient1…patient50",
    ];
    let dir = tempfile::Builder::new().prefix("carebridge-demo-test-").tempdir().expect("a temp dir");
    let mut server = Server::start(dir.path(), &["demo", "--listen", "127.0.0.1:0"]);

    let mut accounts = BTreeSet::new();
    let mut in_accounts = false;
    loop {
        let line = server
            .child
            .next_line(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("demo output ended early ({e})\n{}", server.child.describe()));
        if line.starts_with("Pages:") {
            break;
        }
        if line.starts_with("Demo accounts") {
            assert!(line.contains("carebridge-demo"), "the password should be printed: {line}");
            in_accounts = true;
        } else if in_accounts {
            if let Some(name) = line.split_whitespace().next() {
                accounts.insert(name.to_string());
            }
        }
    }
    for name in ACCOUNTS {
        assert!(accounts.contains(*name), "demo should list account `{name}`\n{}", server.child.describe());
    }

    let client = http();
    let ready = client.get(server.url("/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status().as_u16(), 200, "/readyz");
    let body: serde_json::Value = ready.json().await.expect("JSON");
    assert_eq!(body["database"], "sqlite", "{body}");

    let res =
        client.get(server.url("/api/v1/facilities?region=420100&limit=500")).send().await.expect("GET /facilities");
    assert_eq!(res.status().as_u16(), 200, "GET /api/v1/facilities?region=420100");
    let page: serde_json::Value = res.json().await.expect("JSON");
    let items = page["items"].as_array().unwrap_or_else(|| panic!("no items in {page}"));
    assert!(!items.is_empty(), "the demo should have facilities in Wuhan: {page}");
    for f in items {
        let code = f["region_code"].as_str().unwrap_or_default();
        assert!(code.starts_with("4201"), "facility outside Wuhan in a region=420100 listing: {f}");
    }
    token(&client, &server, "wuhan", "carebridge-demo").await;

    let status = server.terminate();
    assert!(status.success(), "demo should exit 0 on SIGTERM, got {status}\n{}", server.child.describe());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("reading the temp dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("carebridge-demo-"))
        .collect();
    assert!(left.is_empty(), "demo should remove its temporary database directory on exit, left {left:?}");
}

#[test]
fn bench_online_answers_and_files_referrals_on_a_small_registry() {
    let dir = tempfile::Builder::new().prefix("carebridge-bench-online-test-").tempdir().expect("a temp dir");
    let out = run(dir.path(), &["bench", "online", "--facilities", "300", "--referrals", "30", "--filed", "5"], None)
        .success();
    assert!(out.stdout.contains("registry: 300 facilities"), "\n{}", out.describe());
    assert!(out.stdout.contains("answer from the placement index (30 referrals): p50"), "\n{}", out.describe());
    assert!(
        out.stdout.contains("peer: the same answers read from the database (30 referrals)"),
        "\n{}",
        out.describe()
    );
    assert!(out.stdout.contains("both sources gave the same answer for every referral"), "\n{}", out.describe());
    assert!(out.stdout.contains("goal: one referral answered in ≤ 5 ms at p99"), "\n{}", out.describe());
    assert!(out.stdout.contains("filed end to end (5 referrals"), "\n{}", out.describe());
    let bad = run(dir.path(), &["bench", "online", "--referrals", "0"], None);
    assert!(!bad.status.success() && bad.stderr.contains("--referrals"), "\n{}", bad.describe());
}
