//! CSV import and export against the files hospitals will actually send: a clean export must
//! import back unchanged, and every kind of bad file must be refused with the line and column
//! a clerk needs to fix it.

use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{Facility, FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_interop::csv_io::{
    read_capacity, read_capacity_with, read_facilities, write_capacity, write_facilities, CsvError,
};

const ID_A: &str = "0190a6f4-7c1e-7b3a-9d2e-000000000001";
const ID_B: &str = "0190a6f4-7c1e-7b3a-9d2e-000000000002";

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-23T12:00:00Z").unwrap()
}

fn facility(id: &str, name_zh: &str, name_en: &str, region: &str, services: Vec<ServiceKind>) -> Facility {
    Facility {
        id: id.parse().unwrap(),
        draft: FacilityDraft {
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            region_code: RegionCode::parse(region).unwrap(),
            level: FacilityLevel::Tertiary,
            location: GeoPoint::new(114.316_2, 30.554_6).unwrap(),
            address: "解放路238号, \"东院\"\n住院部".into(),
            phone: "+86 27-88041911".into(),
            services,
            takes_new_patients: false,
            paediatric_only: false,
        }
        .validate()
        .unwrap(),
        designation: Designation::VirusDesignated,
        version: 1,
    }
}

#[test]
fn exported_facilities_import_back_unchanged() {
    let mut facilities = vec![
        facility(
            ID_A,
            "武汉大学人民医院",
            "Renmin Hospital",
            "420106",
            vec![ServiceKind::Icu, ServiceKind::Emergency, ServiceKind::FeverClinic],
        ),
        facility(ID_B, "北京朝阳医院", "Beijing Chaoyang Hospital", "110105", vec![]),
    ];
    facilities[1].draft.paediatric_only = true;
    let mut file = Vec::new();
    write_facilities(&mut file, &facilities).unwrap();
    assert!(file.starts_with(b"\xEF\xBB\xBF"), "exports start with a BOM for Excel");

    let rows = read_facilities(file.as_slice(), &Regions::china()).unwrap();
    assert_eq!(rows.len(), 2);
    for (row, f) in rows.iter().zip(&facilities) {
        assert_eq!(row.id, Some(f.id));
        assert_eq!(row.draft, f.draft);
    }
    // The first record's address holds a line break, so the second record starts on line 4.
    assert_eq!((rows[0].line, rows[1].line), (2, 4));
}

#[test]
fn facilities_import_accepts_spreadsheet_habits() {
    // No id column, columns in another order, CRLF, padding, yes/no, blank services.
    let file = "name_en,name_zh,region_code,level,lat,lon,address,phone,services,takes_new_patients\r\n\
                Temp site , 方舱医院 ,420106,temporary,30.5,114.3,,,, YES\r\n\
                Clinic,社区卫生服务中心,420106,primary,30.5,114.3,地址,电话,icu; emergency ;,0\r\n";
    let rows = read_facilities(file.as_bytes(), &Regions::china()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, None);
    assert_eq!(rows[0].draft.name_zh, "方舱医院");
    assert!(rows[0].draft.takes_new_patients);
    assert!(!rows[0].draft.paediatric_only, "a file without the column has no children's hospital");
    assert!(rows[0].draft.services.is_empty());
    assert_eq!(rows[1].draft.services, [ServiceKind::Emergency, ServiceKind::Icu]);
    assert!(!rows[1].draft.takes_new_patients);
}

#[test]
fn exported_capacity_imports_back_unchanged() {
    let unit = |unit, p, s, o| UnitReport { unit, counts: UnitCounts::new(p, s, o).unwrap() };
    let reports = vec![
        CapacityReportDraft {
            facility_id: ID_A.parse().unwrap(),
            as_of: Timestamp::parse_rfc3339("2026-11-23T08:00:00Z").unwrap(),
            units: vec![unit(Unit::GeneralWard, 500, 450, 470), unit(Unit::Icu, 40, 36, 30)],
        },
        CapacityReportDraft {
            facility_id: ID_A.parse().unwrap(),
            as_of: Timestamp::parse_rfc3339("2026-11-23T10:00:00Z").unwrap(),
            units: vec![unit(Unit::Icu, 40, 38, 38)],
        },
        CapacityReportDraft {
            facility_id: ID_B.parse().unwrap(),
            as_of: Timestamp::parse_rfc3339("2026-11-23T10:00:00Z").unwrap(),
            units: vec![unit(Unit::DialysisStations, 20, 0, 0)],
        },
    ];
    let mut file = Vec::new();
    write_capacity(&mut file, &reports).unwrap();
    let rows = read_capacity(file.as_slice(), now()).unwrap();
    let drafts: Vec<_> = rows.iter().map(|r| r.draft.clone()).collect();
    assert_eq!(drafts, reports);
    let lines: Vec<_> = rows.iter().map(|r| r.first_line).collect();
    assert_eq!(lines, [2, 4, 5]);
}

const FACILITY_HEADER: &str = "id,name_zh,name_en,region_code,level,lon,lat,address,phone,services,takes_new_patients";
const GOOD_FACILITY: &str = ",武汉大学人民医院,Renmin Hospital,420106,tertiary,114.3,30.5,解放路238号,027-1,icu,true";
const CAPACITY_HEADER: &str = "facility_id,as_of,unit,physical,staffed,occupied";

/// A file: header, then a good row, then `rest` (so errors sit on line 3 unless stated).
fn facilities_file(header: &str, rest: &[&str]) -> Vec<u8> {
    let mut lines = vec![header, GOOD_FACILITY];
    lines.extend_from_slice(rest);
    (lines.join("\n") + "\n").into_bytes()
}

fn capacity_file(rest: &[&str]) -> Vec<u8> {
    let mut lines = vec![CAPACITY_HEADER, &*GOOD_CAPACITY];
    lines.extend_from_slice(rest);
    (lines.join("\n") + "\n").into_bytes()
}

static GOOD_CAPACITY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{ID_A},2026-11-23T08:00:00Z,icu,10,8,9"));

/// One bad file: its name, its bytes, and the line, column and words the error must have.
type Case<'a> = (&'a str, Vec<u8>, u64, Option<&'a str>, &'a str);

fn expect(result: Result<impl std::fmt::Debug, CsvError>, line: u64, column: Option<&str>, says: &str, case: &str) {
    let e = result.expect_err(case);
    assert_eq!((e.line, e.column.as_deref()), (line, column), "{case}: {e}");
    assert!(e.to_string().contains(says), "{case}: `{e}` should mention `{says}`");
}

#[test]
fn bad_facility_files_name_line_and_column() {
    let regions = Regions::china();
    let read = |bytes: Vec<u8>| read_facilities(bytes.as_slice(), &regions);
    let row = |f: &dyn Fn(&mut Vec<String>)| {
        let mut cells: Vec<String> = GOOD_FACILITY.split(',').map(str::to_owned).collect();
        f(&mut cells);
        cells.join(",")
    };
    let cases: Vec<Case> = vec![
        (
            "unknown region",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[3] = "999999".into())]),
            3,
            Some("region_code"),
            "not a known GB/T 2260 region code",
        ),
        (
            "malformed region",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[3] = "4201".into())]),
            3,
            Some("region_code"),
            "six-digit",
        ),
        (
            "unknown service",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[9] = "icu;surgery".into())]),
            3,
            Some("services"),
            "`surgery` is not one of",
        ),
        (
            "unknown level",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[4] = "quaternary".into())]),
            3,
            Some("level"),
            "`quaternary` is not one of",
        ),
        (
            "non-number",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[5] = "东经114".into())]),
            3,
            Some("lon"),
            "is not a number",
        ),
        ("NaN", facilities_file(FACILITY_HEADER, &[&row(&|c| c[6] = "NaN".into())]), 3, Some("lat"), "is not a number"),
        (
            "out of range",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[6] = "91".into())]),
            3,
            Some("lat"),
            "latitude between -90 and 90",
        ),
        (
            "bad boolean",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[10] = "maybe".into())]),
            3,
            Some("takes_new_patients"),
            "not one of: true, false",
        ),
        (
            "blank name",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[1] = " ".into())]),
            3,
            Some("name_zh"),
            "must not be empty",
        ),
        ("bad id", facilities_file(FACILITY_HEADER, &[&row(&|c| c[0] = "42".into())]), 3, Some("id"), "is not a UUID"),
        (
            "repeated id",
            facilities_file(FACILITY_HEADER, &[&row(&|c| c[0] = ID_A.into()), &row(&|c| c[0] = ID_A.into())]),
            4,
            Some("id"),
            "already appears at line 3",
        ),
        (
            "ragged row",
            facilities_file(FACILITY_HEADER, &[",医院,Hospital,420106,tertiary,114.3"]),
            3,
            Some("lat"),
            "the row has 6 fields but the header has 11",
        ),
        (
            "missing column",
            facilities_file(&FACILITY_HEADER.replace(",phone", ""), &[]),
            1,
            Some("phone"),
            "required column is missing",
        ),
        (
            "extra column",
            facilities_file(&(FACILITY_HEADER.to_owned() + ",beds"), &[]),
            1,
            Some("beds"),
            "unknown column",
        ),
        (
            "designation column",
            facilities_file(&(FACILITY_HEADER.to_owned() + ",designation"), &[]),
            1,
            Some("designation"),
            "designations are orders, not fields",
        ),
        (
            "repeated column",
            facilities_file(&(FACILITY_HEADER.to_owned() + ",lat"), &[]),
            1,
            Some("lat"),
            "appears twice",
        ),
        ("empty file", Vec::new(), 1, None, "the file is empty"),
    ];
    for (case, bytes, line, column, says) in cases {
        expect(read(bytes), line, column, says, case);
    }

    // Invalid UTF-8 (a GBK-encoded name, as legacy Excel saves it) in the name_zh field.
    let mut bytes = facilities_file(FACILITY_HEADER, &[]);
    bytes.extend_from_slice(b",\xce\xe4\xba\xba,Hospital,420106,tertiary,114.3,30.5,,,,true\n");
    expect(read(bytes), 3, Some("name_zh"), "not valid UTF-8", "bad UTF-8");
}

#[test]
fn surge_beds_within_the_factor_import_and_the_factor_is_the_servers() {
    use carebridge_domain::capacity::SurgeFactor;
    // Corridor beds: 15 occupied of 10 physical is within the default 1.5.
    let surge = capacity_file(&[&format!("{ID_A},2026-11-23T08:00:00Z,general_ward,10,10,15")]);
    assert!(read_capacity(surge.as_slice(), now()).is_ok());
    let strict = SurgeFactor::from_percent(120).unwrap();
    let e = read_capacity_with(surge.as_slice(), now(), strict).expect_err("beyond 1.2");
    assert_eq!((e.line, e.column.as_deref()), (3, Some("occupied")), "{e}");
}

#[test]
fn bad_capacity_files_name_line_and_column() {
    let read = |bytes: Vec<u8>| read_capacity(bytes.as_slice(), now());
    let row = |as_of: &str, unit: &str, p: &str, s: &str, o: &str| format!("{ID_A},{as_of},{unit},{p},{s},{o}");
    let t = "2026-11-23T08:00:00Z";
    let cases: Vec<Case> = vec![
        (
            "staffed > physical",
            capacity_file(&[&row(t, "general_ward", "10", "12", "3")]),
            3,
            Some("staffed"),
            "staffed (12) must not exceed physical (10)",
        ),
        (
            "negative",
            capacity_file(&[&row(t, "general_ward", "10", "8", "-1")]),
            3,
            Some("occupied"),
            "must not be negative",
        ),
        (
            "non-number",
            capacity_file(&[&row(t, "general_ward", "ten", "8", "1")]),
            3,
            Some("physical"),
            "`ten` is not a whole number",
        ),
        (
            "fraction",
            capacity_file(&[&row(t, "general_ward", "10", "8.5", "1")]),
            3,
            Some("staffed"),
            "is not a whole number",
        ),
        (
            "blank count",
            capacity_file(&[&row(t, "general_ward", "10", "", "1")]),
            3,
            Some("staffed"),
            "must not be empty",
        ),
        ("unknown unit", capacity_file(&[&row(t, "nicu", "10", "8", "1")]), 3, Some("unit"), "`nicu` is not one of"),
        (
            "bad time",
            capacity_file(&[&row("2026-11-23 08:00", "icu", "10", "8", "1")]),
            3,
            Some("as_of"),
            "is not an RFC 3339 time",
        ),
        (
            "future time",
            capacity_file(&[&row("2026-11-24T08:00:00Z", "icu", "10", "8", "1")]),
            3,
            Some("as_of"),
            "must not be more than 5 minutes in the future",
        ),
        (
            "occupied beyond the surge factor",
            capacity_file(&[&row(t, "general_ward", "98", "90", "500")]),
            3,
            Some("occupied"),
            "500 occupied is more than 1.5 times the 98 physical beds (at most 147): check the numbers",
        ),
        (
            "bad facility id",
            capacity_file(&["hospital-1,2026-11-23T08:00:00Z,icu,1,1,1"]),
            3,
            Some("facility_id"),
            "is not a UUID",
        ),
        (
            "duplicate unit in one report",
            capacity_file(&[&row(t, "general_ward", "5", "5", "5"), &row(t, "icu", "10", "8", "1")]),
            4,
            Some("unit"),
            "`icu` is already reported at line 2",
        ),
        (
            "same instant in another offset is the same report",
            capacity_file(&[&row("2026-11-23T16:00:00+08:00", "icu", "10", "8", "1")]),
            3,
            Some("unit"),
            "already reported at line 2",
        ),
        (
            "report split apart",
            capacity_file(&[&format!("{ID_B},{t},icu,1,1,1"), &row(t, "general_ward", "5", "5", "5")]),
            4,
            Some("as_of"),
            "already started at line 2",
        ),
        (
            "ragged row",
            capacity_file(&[&format!("{ID_A},{t},icu,10,8")]),
            3,
            Some("occupied"),
            "the row has 5 fields but the header has 6",
        ),
        (
            "missing column",
            b"facility_id,as_of,unit,physical,staffed\n".to_vec(),
            1,
            Some("occupied"),
            "required column is missing",
        ),
        ("extra column", format!("{CAPACITY_HEADER},note\n").into_bytes(), 1, Some("note"), "unknown column"),
        ("empty file", b"\n\n".to_vec(), 1, None, "the file is empty"),
    ];
    for (case, bytes, line, column, says) in cases {
        expect(read(bytes), line, column, says, case);
    }

    // A stray non-UTF-8 byte inside the unit field of line 3.
    let mut bytes = capacity_file(&[]);
    bytes.extend_from_slice(format!("{ID_A},{t},").as_bytes());
    bytes.extend_from_slice(b"ic\xffu,1,1,1\n");
    expect(read(bytes), 3, Some("unit"), "not valid UTF-8", "bad UTF-8");
}

#[test]
fn errors_display_with_line_and_column() {
    let e = CsvError {
        line: 7,
        column: Some("staffed".into()),
        message: "staffed (12) must not exceed physical (10)".into(),
    };
    assert_eq!(e.to_string(), r#"line 7, column "staffed": staffed (12) must not exceed physical (10)"#);
    let e = CsvError { line: 3, column: None, message: "has 5 fields but the header has 6".into() };
    assert_eq!(e.to_string(), "line 3: has 5 fields but the header has 6");
}

#[test]
fn a_bom_and_header_padding_are_accepted() {
    let file = format!("\u{feff} facility_id , as_of ,unit,physical,staffed,occupied\r\n{}\r\n", &*GOOD_CAPACITY);
    let rows = read_capacity(file.as_bytes(), now()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].draft.units[0].counts.occupied(), 9);
}
