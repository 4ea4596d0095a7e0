//! storno-local's edge, as a client on a raw socket sees it: a connection cap refused with 503
//! (idle connections cannot exhaust the server), 408 for a connection that stays silent and for
//! a body that does not arrive, 400 for a broken chunked body, 413 only for a body over the
//! limit, and a server that still answers afterwards; one client holding its share of
//! connections cannot lock another client out.

mod support;

use std::time::Duration;

use support::process::{Server, data_file, free_port, request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const LIMITS: [&str; 8] = [
    "--max-connections",
    "4",
    "--max-connections-per-client",
    "4",
    // Two seconds: on a loaded machine the four idle connections must still hold their slots
    // when the fifth arrives (with one second they were sometimes timed out first).
    "--header-timeout-seconds",
    "2",
    "--body-timeout-seconds",
    "1",
];

/// Everything the server sends until it closes (at most 5 s).
async fn answer(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw)).await;
    String::from_utf8_lossy(&raw).into_owned()
}

fn status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_slow_broken_and_too_many_connections_get_clear_answers_and_the_server_stays_up() {
    let data = data_file("edge");
    let server = Server::start(&data, free_port(), &LIMITS).await;
    let addr = server.addr;

    // Four silent connections take every slot; the fifth is refused at once with 503.
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fifth = TcpStream::connect(addr).await.unwrap();
    let refused = answer(&mut fifth).await;
    assert_eq!(status(&refused), 503, "{refused}");
    assert!(refused.contains("too_many_connections") && refused.contains("Retry-After: 1"));

    // The silent ones are told 408 after the header timeout and closed: the slots free up.
    for mut stream in idle {
        let timed_out = answer(&mut stream).await;
        assert_eq!(status(&timed_out), 408, "{timed_out}");
    }
    let (ok, _) = request(addr, "GET", "/orders/none", None, None, None)
        .await
        .unwrap();
    assert_eq!(ok, 401, "the server answers again");

    // Half a request head, then nothing: 408, not a silent close.
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Le")
        .await
        .unwrap();
    let half_answer = answer(&mut half).await;
    assert_eq!(status(&half_answer), 408, "{half_answer}");

    // A body declared far over the limit: 413 at once, not 408 after waiting for it.
    let mut declared = TcpStream::connect(addr).await.unwrap();
    declared
        .write_all(b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{}")
        .await
        .unwrap();
    let declared_answer = answer(&mut declared).await;
    assert_eq!(status(&declared_answer), 413, "{declared_answer}");

    // A body that never arrives in full: 408.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\"")
        .await
        .unwrap();
    let slow_answer = answer(&mut slow).await;
    assert_eq!(status(&slow_answer), 408, "{slow_answer}");

    // A broken chunked body: 400, not 413.
    let mut broken = TcpStream::connect(addr).await.unwrap();
    broken
        .write_all(b"POST /orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n")
        .await
        .unwrap();
    let broken_answer = answer(&mut broken).await;
    assert_eq!(status(&broken_answer), 400, "{broken_answer}");

    // A body over 64 KB: 413.
    let mut large = TcpStream::connect(addr).await.unwrap();
    let body = vec![b' '; 70 * 1024];
    large
        .write_all(format!("POST /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await
        .unwrap();
    large.write_all(&body).await.unwrap();
    let large_answer = answer(&mut large).await;
    assert_eq!(status(&large_answer), 413, "{large_answer}");

    assert!(server.terminate(Duration::from_secs(30)), "a clean stop");
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}

/// A connection from another loopback address (127.0.0.2): another client to the server.
async fn connect_from(source: &str, addr: std::net::SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// A complete keep-alive request on `stream`; the status of its answer (the connection stays).
async fn keep_alive_request(stream: &mut TcpStream) -> u16 {
    stream
        .write_all(b"GET /orders/none HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    status(&String::from_utf8_lossy(&buffer[..n]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_holding_its_share_of_connections_cannot_lock_another_out() {
    let data = data_file("edge-share");
    let limits = [
        "--max-connections",
        "8",
        "--max-connections-per-client",
        "3",
    ];
    let server = Server::start(&data, free_port(), &limits).await;
    let addr = server.addr;

    // The first client keeps three connections open (each answered, kept alive).
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect_from("127.0.0.1", addr).await;
        assert_eq!(keep_alive_request(&mut stream).await, 401);
        held.push(stream);
    }
    // Its fourth is refused: its share is taken, not the server's.
    let mut fourth = connect_from("127.0.0.1", addr).await;
    let refused = answer(&mut fourth).await;
    assert_eq!(status(&refused), 503, "{refused}");
    assert!(
        refused.contains("too_many_connections_from_client"),
        "{refused}"
    );

    // Another client is served while the first holds its connections.
    let mut other = connect_from("127.0.0.2", addr).await;
    assert_eq!(keep_alive_request(&mut other).await, 401);

    // A connection given back is the first client's again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from("127.0.0.1", addr).await;
    assert_eq!(keep_alive_request(&mut again).await, 401);

    drop((held, other, again));
    assert!(server.terminate(Duration::from_secs(30)), "a clean stop");
    let _ = std::fs::remove_dir_all(data.parent().unwrap());
}
