//! The functions' HTTPS client (`wiring::trust_roots`) through a real TLS handshake on
//! 127.0.0.1: the client the SDK is given trusts the roots it was built with — and only those.
//!
//! `fixtures/tls/` holds a test CA and a `localhost` / `127.0.0.1` certificate it signed
//! (`openssl`, P-256, valid for 100 years); the key exists for this test and nothing else. The
//! tests connect to `https://127.0.0.1:…`, so no name resolution is involved.

use std::net::SocketAddr;
use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use storno_functions::wiring::{TrustRoots, https_client_trusting};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const TEST_CA: &[u8] = include_bytes!("fixtures/tls/test-ca.pem");
const SERVER_CERTIFICATE: &[u8] = include_bytes!("fixtures/tls/localhost.pem");
const SERVER_KEY: &[u8] = include_bytes!("fixtures/tls/localhost.key");

fn https(server: SocketAddr) -> String {
    format!("https://{server}")
}

/// A TLS server for one connection, answering one DynamoDB `ListTables` with no tables.
/// The task ends with the request line it served, or `None` when the handshake failed.
async fn one_connection_server() -> (SocketAddr, JoinHandle<Option<String>>) {
    let certificates = CertificateDer::pem_slice_iter(SERVER_CERTIFICATE)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certificates, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let tls = acceptor.accept(tcp).await.ok()?;
        answer_list_tables(tls).await
    });
    (address, server)
}

/// Reads one request (head, then as much body as Content-Length says) and answers a DynamoDB
/// `ListTables` with no tables; the request line, or `None` when the connection broke first.
async fn answer_list_tables(
    mut connection: impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
) -> Option<String> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = connection.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                break;
            }
        }
    }
    let body = r#"{"TableNames":[]}"#;
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    connection.write_all(response.as_bytes()).await.ok()?;
    connection.shutdown().await.ok()?;
    let text = String::from_utf8_lossy(&received);
    text.lines().next().map(str::to_owned)
}

/// A DynamoDB client over `http_client`, pointed at `endpoint`, trying once.
fn dynamodb(http_client: SharedHttpClient, endpoint: String) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .credentials_provider(Credentials::for_tests())
        .endpoint_url(endpoint)
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .http_client(http_client)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

#[tokio::test]
async fn a_client_built_with_a_root_completes_the_handshake_with_a_server_under_it() {
    let (address, server) = one_connection_server().await;
    let tables = dynamodb(https_client_trusting(TEST_CA), https(address))
        .list_tables()
        .send()
        .await
        .expect("the handshake and the request succeed");
    assert_eq!(tables.table_names(), [] as [String; 0]);
    assert_eq!(server.await.unwrap().as_deref(), Some("POST / HTTP/1.1"));
}

#[tokio::test]
async fn the_amazon_trust_services_client_refuses_a_certificate_of_any_other_authority() {
    let (address, server) = one_connection_server().await;
    let amazon = TrustRoots::AmazonTrustServices.http_client().unwrap();
    let refused = dynamodb(amazon, https(address))
        .list_tables()
        .send()
        .await
        .expect_err("a certificate outside the Amazon roots must fail the handshake");
    let cause = format!("{refused:?}");
    assert!(cause.contains("UnknownIssuer"), "{cause}");
    assert_eq!(
        server.await.unwrap(),
        None,
        "no request may reach the server"
    );
}

/// `STORNO_TLS_ROOTS=amazon` with a plain-HTTP endpoint (dynoxide, moto) still works: the
/// roots only matter for `https://`.
#[tokio::test]
async fn the_amazon_trust_services_client_still_speaks_plain_http() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        answer_list_tables(tcp).await
    });
    let amazon = TrustRoots::AmazonTrustServices.http_client().unwrap();
    dynamodb(amazon, format!("http://{address}"))
        .list_tables()
        .send()
        .await
        .expect("plain HTTP needs no roots");
    assert_eq!(server.await.unwrap().as_deref(), Some("POST / HTTP/1.1"));
}

#[test]
fn the_platform_choice_leaves_the_sdk_its_default_client() {
    assert!(TrustRoots::Platform.http_client().is_none());
}

#[tokio::test]
async fn the_cold_start_configuration_carries_the_chosen_client() {
    let amazon = storno_functions::wiring::sdk_config(TrustRoots::AmazonTrustServices).await;
    assert!(amazon.http_client().is_some());
    let platform = storno_functions::wiring::sdk_config(TrustRoots::Platform).await;
    assert!(
        platform.http_client().is_none(),
        "the SDK picks its default"
    );
}
