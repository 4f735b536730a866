//! A 413 every client reads: a raw TCP client that writes its whole oversized body before it
//! reads anything (as Python's `urllib` does) must read the problem, not a reset connection;
//! so must a client that waits for `100 Continue`, and one that sends its body chunked. The
//! limit is the server's `body_limit` (`--body-limit`).

use carebridge_e2e::both_backends;
use carebridge_server::{Application, ServerConfig};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What a raw exchange read back.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: Value,
}

/// Write `head` then every byte of `body` (chunked when `chunked`), and only then read the
/// whole answer until the server closes.
async fn exchange(port: u16, head: String, body: Vec<u8>, chunked: bool) -> Raw {
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(head.as_bytes()).expect("write the head");
        if chunked {
            for chunk in body.chunks(64 * 1024) {
                write!(s, "{:x}\r\n", chunk.len()).expect("chunk size");
                s.write_all(chunk).expect("chunk");
                s.write_all(b"\r\n").expect("chunk end");
            }
            s.write_all(b"0\r\n\r\n").expect("last chunk");
        } else {
            s.write_all(&body).expect("the server reads (or drains) the whole body");
        }
        read_answer(&mut s)
    })
    .await
    .expect("the client thread")
}

/// Read until the server closes (every 413 says `Connection: close`) or the body is complete.
fn read_answer(s: &mut TcpStream) -> Raw {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) => panic!(
                "reading the answer failed ({e}) after {} bytes: {:?}",
                bytes.len(),
                String::from_utf8_lossy(&bytes)
            ),
        }
        if let Some(raw) = parse(&bytes) {
            return raw;
        }
    }
    parse(&bytes).unwrap_or_else(|| panic!("an incomplete answer: {:?}", String::from_utf8_lossy(&bytes)))
}

/// A complete `Content-Length` answer, or `None` while more is to come.
fn parse(bytes: &[u8]) -> Option<Raw> {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))?;
    if body.len() < length {
        return None;
    }
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Raw {
        status,
        head: head.to_ascii_lowercase(),
        body: serde_json::from_str(&body[..length]).unwrap_or(Value::Null),
    })
}

fn post_head(path: &str, length: Option<usize>, extra: &str) -> String {
    let framing = match length {
        Some(n) => format!("content-length: {n}\r\n"),
        None => "transfer-encoding: chunked\r\n".to_string(),
    };
    format!("POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{framing}{extra}\r\n")
}

/// 8 MiB of a JSON string: valid JSON, far past the default 1 MiB.
fn big_json(bytes: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes);
    v.extend_from_slice(b"{\"note\":\"");
    v.resize(bytes - 2, b'a');
    v.extend_from_slice(b"\"}");
    v
}

#[track_caller]
fn assert_413(raw: &Raw, content_type: &str, label: &str) {
    assert_eq!(raw.status, 413, "{label}: {raw:?}");
    assert!(raw.head.contains(&format!("content-type: {content_type}")), "{label}: {}", raw.head);
    assert!(raw.head.contains("connection: close"), "{label}: {}", raw.head);
}

both_backends!(an_oversized_body_written_whole_still_reads_the_413, |app| async move {
    let body = big_json(8 * 1024 * 1024);
    let raw = exchange(app.port, post_head("/api/v1/referrals", Some(body.len()), ""), body.clone(), false).await;
    assert_413(&raw, "application/problem+json", "content-length");
    assert_eq!(raw.body["status"], 413, "{raw:?}");
    assert!(raw.body["detail"].as_str().unwrap_or("").contains("1048576"), "the detail names the limit: {raw:?}");

    let raw = exchange(app.port, post_head("/api/v1/referrals", None, ""), body.clone(), true).await;
    assert_413(&raw, "application/problem+json", "chunked");

    // Under /fhir the refusal is an OperationOutcome, like every FHIR error.
    let raw = exchange(app.port, post_head("/fhir/Organization", Some(body.len()), ""), body, false).await;
    assert_413(&raw, "application/fhir+json", "fhir");
    assert_eq!(raw.body["resourceType"], "OperationOutcome", "{raw:?}");
});

both_backends!(a_client_that_waits_for_100_continue_is_refused_before_it_sends, |app| async move {
    let head = post_head("/api/v1/referrals", Some(8 * 1024 * 1024), "expect: 100-continue\r\n");
    let port = app.port;
    let raw = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(head.as_bytes()).expect("write the head");
        read_answer(&mut s)
    })
    .await
    .expect("the client thread");
    assert_413(&raw, "application/problem+json", "100-continue");
    assert!(!raw.head.contains("100 continue"), "no 100 Continue was sent: {}", raw.head);
});

both_backends!(the_limit_is_the_servers_body_limit, |app| async move {
    app.load_demo().await;
    // A second server on the same store with a 4 KiB limit.
    let config = ServerConfig { body_limit: 4096, ..ServerConfig::new("127.0.0.1:0") };
    let small = Application::build(&config, app.cb.clone()).await.expect("bind");
    let port = small.port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(small.run_until(async move {
        let _ = rx.await;
    }));
    let over = big_json(5000);
    let raw = exchange(port, post_head("/api/v1/auth/token", Some(over.len()), ""), over.clone(), false).await;
    assert_413(&raw, "application/problem+json", "5000 bytes over a 4096 limit");
    assert!(raw.body["detail"].as_str().unwrap_or("").contains("4096"), "{raw:?}");
    let raw = exchange(port, post_head("/api/v1/auth/token", None, ""), over, true).await;
    assert_413(&raw, "application/problem+json", "5000 chunked bytes over a 4096 limit");

    // Within the limit, chunked or not, the body reaches the handler whole.
    let login = serde_json::to_vec(&serde_json::json!({"username": "hubei", "password": "carebridge-demo"})).unwrap();
    let head = |length| post_head("/api/v1/auth/token", length, "connection: close\r\n");
    for (label, length, chunked) in [("content-length", Some(login.len()), false), ("chunked", None, true)] {
        let raw = exchange(port, head(length), login.clone(), chunked).await;
        assert_eq!(raw.status, 200, "{label}: {raw:?}");
        assert!(raw.body["access_token"].is_string(), "{label}: {raw:?}");
    }
    let _ = tx.send(());
});
