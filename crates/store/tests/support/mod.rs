//! What the store's integration tests share: a fresh database of each backend and a facility
//! to write against.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::{FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_store::{facilities, Store, Tx};

/// A secondary hospital in Wuhan (420103) offering ICU, named `name_en`.
pub fn facility_draft(name_en: &str) -> FacilityDraft {
    FacilityDraft {
        name_zh: "测试医院".into(),
        name_en: name_en.into(),
        region_code: RegionCode::parse("420103").expect("code"),
        level: FacilityLevel::Secondary,
        location: GeoPoint { lon: 114.3, lat: 30.6 },
        address: String::new(),
        phone: String::new(),
        services: vec![ServiceKind::Icu],
        takes_new_patients: true,
        paediatric_only: false,
    }
}

/// Insert `draft` as a new facility in `tx`, at its region's path.
pub async fn insert_facility(tx: &mut Tx, draft: &FacilityDraft, now: Timestamp) -> FacilityId {
    let id = FacilityId::new_v7();
    let path = Regions::china().path(draft.region_code).expect("path");
    facilities::insert(tx, id, draft, path, now).await.expect("insert a facility");
    id
}

/// A store on a SQLite file in a fresh temporary directory (removed by [`SqliteDb::remove`]).
pub async fn sqlite_store(tag: &str) -> (Store, SqliteDb) {
    let dir = std::env::temp_dir().join(format!("cb-{tag}-{}-{}", std::process::id(), FacilityId::new_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = Store::connect(&format!("sqlite://{}/t.sqlite", dir.display()), 2).await.expect("connect");
    (store, SqliteDb { dir })
}

pub struct SqliteDb {
    dir: std::path::PathBuf,
}

impl SqliteDb {
    pub fn remove(self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// A store on a fresh PostgreSQL database beside the one `CAREBRIDGE_TEST_DATABASE_URL` names
/// (dropped by [`PgDb::drop_database`]), or `None`, said loudly, when the variable is not set.
pub async fn postgres_store(tag: &str) -> Option<(Store, PgDb)> {
    use sqlx::{Connection, Executor};
    const PG_URL_ENV: &str = "CAREBRIDGE_TEST_DATABASE_URL";
    let Some(admin_url) = std::env::var(PG_URL_ENV).ok().filter(|u| !u.is_empty()) else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED (PostgreSQL): {PG_URL_ENV} is not set [{tag}]");
        return None;
    };
    let name = format!("cb_test_{tag}_{}", FacilityId::new_v7().to_string().replace('-', ""));
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("PostgreSQL answers");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create the test database");
    let url = match admin_url.rfind('/') {
        Some(slash) if slash > admin_url.find("://").map_or(0, |s| s + 2) => format!("{}/{name}", &admin_url[..slash]),
        _ => format!("{admin_url}/{name}"),
    };
    let store = Store::connect(&url, 4).await.expect("connect");
    Some((store, PgDb { admin, name }))
}

pub struct PgDb {
    admin: sqlx::PgConnection,
    name: String,
}

impl PgDb {
    pub async fn drop_database(mut self) {
        use sqlx::Executor;
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        self.admin.execute(sql.as_str()).await.expect("drop the test database");
    }
}
