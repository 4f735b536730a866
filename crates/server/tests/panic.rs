//! A panic in a handler answers 500 problem+json with no internals, and the server keeps
//! serving the next request.

use axum::routing::get;
use axum::Router;
use carebridge_server::state::AppState;
use carebridge_service::{Carebridge, Store};

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_handler_answers_500_problem_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/t.sqlite", dir.path().display());
    let store = Store::connect(&url, 2).await.expect("connect");
    carebridge_store::migrate::run(&store).await.expect("migrate");
    let state = AppState::new(Carebridge::new(store));
    let extra: Router<AppState> = Router::new().route(
        "/boom",
        get(|| async {
            if std::hint::black_box(true) {
                panic!("secret internal detail");
            }
            "unreachable"
        }),
    );
    let app = carebridge_server::startup::router_with(state, extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();

    let res = client.get(format!("http://{addr}/boom")).send().await.expect("request");
    assert_eq!(res.status(), 500);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = res.text().await.expect("body");
    assert!(!body.contains("secret internal detail"), "the panic message leaked: {body}");
    let problem: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(problem["status"], 500);

    let again = client.get(format!("http://{addr}/healthz")).send().await.expect("request");
    assert_eq!(again.status(), 200, "the server must keep serving after a panic");
    server.abort();
}
