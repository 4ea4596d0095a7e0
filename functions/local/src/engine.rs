//! The embedded DynamoDB: dynoxide serving the data file on a loopback port, an SDK client for
//! it that never looks for credentials, and the table prepared (created, or checked to hold
//! records this build reads).

use std::net::SocketAddr;
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use storno_functions::store::records::RECORD_VERSION;
use storno_functions::store::table;
use tokio::sync::oneshot;

use crate::{Config, LocalError};

/// Connections to the embedded DynamoDB kept open while idle.
const EMBEDDED_IDLE_CONNECTIONS: usize = 16;

/// Starts dynoxide on `config`'s data and a client for it; dropping the sender stops it.
pub(crate) async fn start(
    config: &Config,
) -> Result<(aws_sdk_dynamodb::Client, oneshot::Sender<()>), LocalError> {
    let db = match &config.data {
        Some(path) => dynoxide::Database::new(&path.to_string_lossy()),
        None => dynoxide::Database::memory(),
    }
    .map_err(|e| LocalError::Engine(e.to_string()))?;
    let dynamodb_addr = config
        .dynamodb_addr
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let listener = tokio::net::TcpListener::bind(dynamodb_addr)
        .await
        .map_err(|e| LocalError::Engine(e.to_string()))?;
    let endpoint = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| LocalError::Engine(e.to_string()))?
    );
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(dynoxide::server::serve_with_shutdown(listener, db, async {
        let _ = stopped.await;
    }));
    Ok((client(endpoint), stop))
}

/// Static credentials and an explicit endpoint: the SDK never looks for credentials. Both ends
/// of every pooled connection are this process's file descriptors: few are kept idle, and not
/// for long, so they stay free for clients.
fn client(endpoint: String) -> aws_sdk_dynamodb::Client {
    let http = aws_smithy_http_client::Builder::new()
        .pool_max_idle_per_host(EMBEDDED_IDLE_CONNECTIONS)
        .pool_idle_timeout(Duration::from_secs(5))
        .build_http();
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new("eu-central-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new(
                "local",
                "local",
                None,
                None,
                "storno-local",
            ))
            .build(),
    )
}

/// Creates the table on a new data file (`true`), or checks an existing one holds records of
/// the version this build writes.
pub(crate) async fn prepare_table(
    client: &aws_sdk_dynamodb::Client,
    table_name: &str,
    config: &Config,
) -> Result<bool, LocalError> {
    let fresh = !client
        .list_tables()
        .send()
        .await
        .map_err(|e| LocalError::Table(e.to_string()))?
        .table_names()
        .iter()
        .any(|name| name == table_name);
    if fresh {
        table::create_table(client, table_name)
            .await
            .map_err(|e| LocalError::Table(e.to_string()))?;
        mark_records_version(client, table_name).await?;
        return Ok(true);
    }
    let version = records_version(client, table_name).await?;
    if version != RECORD_VERSION {
        let data_name = config
            .data
            .as_ref()
            .map_or("the data".to_owned(), |p| p.display().to_string());
        return Err(LocalError::OldData(data_name, version, RECORD_VERSION));
    }
    Ok(false)
}

/// The item that names the version of the records a data file holds.
const META_PK: &str = "META#STORNO";

async fn mark_records_version(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(), LocalError> {
    use aws_sdk_dynamodb::types::AttributeValue;
    client
        .put_item()
        .table_name(table)
        .item("pk", AttributeValue::S(META_PK.into()))
        .item("sk", AttributeValue::S("META".into()))
        .item("records", AttributeValue::N(RECORD_VERSION.to_string()))
        .send()
        .await
        .map_err(|e| LocalError::Table(e.to_string()))?;
    Ok(())
}

/// The records version of an existing data file; 1 for files from before the marker.
async fn records_version(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<u32, LocalError> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let item = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(META_PK.into()))
        .key("sk", AttributeValue::S("META".into()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| LocalError::Table(e.to_string()))?
        .item;
    Ok(match item.as_ref().and_then(|i| i.get("records")) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(1),
        _ => 1,
    })
}
