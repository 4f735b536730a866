//! `/healthz` and `/readyz`.

use carebridge_e2e::app::Backend;
use carebridge_e2e::both_backends;

both_backends!(healthz_answers_without_a_database_round_trip, |app| async move {
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "ok");
});

both_backends!(readyz_names_the_database, |app| async move {
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "ready");
    let expected = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(r.json["database"], expected);
});
