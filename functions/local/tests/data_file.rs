//! The data file across builds: a file this build wrote opens again with its data; a file of
//! an earlier Storno whose records this build cannot read is refused at start with a clear
//! message, before anything is served or written.

use storno_local::{Config, Local, LocalError};

fn file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("storno-data-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("storno-local.db")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_file_of_this_build_opens_again_and_an_earlier_one_is_refused_clearly() {
    let ours = file("ours");
    let config = Config {
        data: Some(ours.clone()),
        ..Config::default()
    };
    let first = Local::start(&config).await.expect("a new file");
    assert!(first.seeded);
    drop(first);
    let again = Local::start(&config).await.expect("the same file again");
    assert!(!again.seeded, "kept its data");
    drop(again);

    // A file of an earlier build: the table exists, the records marker does not.
    let earlier = file("earlier");
    {
        let db = dynoxide::Database::new(&earlier.to_string_lossy()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(dynoxide::server::serve_with_shutdown(listener, db, async {
            let _ = stopped.await;
        }));
        let client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
                .region(aws_sdk_dynamodb::config::Region::new("eu-central-1"))
                .endpoint_url(endpoint)
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .build(),
        );
        storno_functions::store::table::create_table(&client, "storno")
            .await
            .unwrap();
        let _ = stop.send(());
        let _ = server.await;
    }
    let refused = Local::start(&Config {
        data: Some(earlier.clone()),
        ..Config::default()
    })
    .await;
    match refused {
        Err(error @ LocalError::OldData(..)) => {
            let text = error.to_string();
            assert!(
                text.contains("earlier Storno") && text.contains("--data"),
                "{text}"
            );
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("an earlier data file was opened"),
    }
    let _ = std::fs::remove_dir_all(ours.parent().unwrap());
    let _ = std::fs::remove_dir_all(earlier.parent().unwrap());
}
