//! `infra/template.yaml` is the contract with operations: these tests hold it to the code. The
//! table must be exactly the one the code creates (created here on dynoxide and described);
//! every binary is a function and every route is wired to the function that serves it; each
//! function gets only the DynamoDB actions, indexes and queues it uses; queues have DLQs,
//! alarms, and visibility timeouts of at least 6× their consumer's timeout; the trust-roots
//! parameter offers exactly what the functions accept.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;
use storno_functions::http::ROUTES;
use storno_functions::store::table;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn resources(template: &Value) -> BTreeMap<String, Value> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone()))
        .collect()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Tagged(tagged) => format!("{} {}", tagged.tag, text(&tagged.value)),
        Value::Sequence(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => format!("{other:?}"),
    }
}

/// `[(AttributeName, KeyType)]` of a key schema.
fn key_schema(value: &Value) -> Vec<(String, String)> {
    value
        .as_sequence()
        .unwrap()
        .iter()
        .map(|k| (text(&k["AttributeName"]), text(&k["KeyType"])))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_is_exactly_the_one_the_code_creates() {
    let engine = support::Engine::start().await;
    let client = engine.client(None);
    let name = engine.table(&client).await;
    let described = client
        .describe_table()
        .table_name(&name)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let ttl = client
        .describe_time_to_live()
        .table_name(&name)
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();

    let template = template();
    let table = &resources(&template)["Table"]["Properties"];
    let code_keys: Vec<(String, String)> = described
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(key_schema(&table["KeySchema"]), code_keys);
    let code_attributes: BTreeSet<(String, String)> = described
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    let template_attributes: BTreeSet<(String, String)> = table["AttributeDefinitions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| (text(&a["AttributeName"]), text(&a["AttributeType"])))
        .collect();
    assert_eq!(template_attributes, code_attributes);
    let code_indexes: BTreeMap<String, (Vec<(String, String)>, String)> = described
        .global_secondary_indexes()
        .iter()
        .map(|index| {
            (
                index.index_name().unwrap().to_owned(),
                (
                    index
                        .key_schema()
                        .iter()
                        .map(|k| {
                            (
                                k.attribute_name().to_owned(),
                                k.key_type().as_str().to_owned(),
                            )
                        })
                        .collect(),
                    index
                        .projection()
                        .and_then(|p| p.projection_type())
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default(),
                ),
            )
        })
        .collect();
    let template_indexes: BTreeMap<String, (Vec<(String, String)>, String)> =
        table["GlobalSecondaryIndexes"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|index| {
                (
                    text(&index["IndexName"]),
                    (
                        key_schema(&index["KeySchema"]),
                        text(&index["Projection"]["ProjectionType"]),
                    ),
                )
            })
            .collect();
    assert_eq!(template_indexes, code_indexes);
    assert_eq!(code_indexes.len(), table::INDEXES.len());
    assert_eq!(
        text(&table["TimeToLiveSpecification"]["AttributeName"]),
        ttl.attribute_name().unwrap()
    );
    assert_eq!(text(&table["BillingMode"]), "PAY_PER_REQUEST");
    assert_eq!(
        text(&table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]),
        "true"
    );
    assert_eq!(
        text(&table["DeletionProtectionEnabled"]),
        "!Ref TableDeletionProtection"
    );
}

/// What each binary may do: DynamoDB actions, the table's indexes it queries, queues it sends
/// to. Commands write through TransactWriteItems, which IAM checks per item action.
fn allowed(
    binary: &str,
) -> (
    BTreeSet<&'static str>,
    BTreeSet<&'static str>,
    BTreeSet<&'static str>,
) {
    let commands = BTreeSet::from([
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ]);
    match binary {
        "orders" => (
            commands,
            BTreeSet::from(["gsi1", "gsi2"]),
            BTreeSet::from(["FollowupQueue"]),
        ),
        // gsi3: the reconciliation route reads the outbox index.
        "operations" => (
            commands,
            BTreeSet::from(["gsi1", "gsi2", "gsi3"]),
            BTreeSet::from(["FollowupQueue"]),
        ),
        "followup-worker" => (
            commands,
            BTreeSet::from(["gsi1"]),
            BTreeSet::from([
                "FollowupQueue",
                "InstructionsQueue",
                "FollowupDeadLetterQueue",
            ]),
        ),
        "payout-release" => (
            commands,
            BTreeSet::from(["gsi1"]),
            BTreeSet::from(["FollowupQueue"]),
        ),
        "outbox-sweeper" => (
            BTreeSet::from(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"]),
            BTreeSet::from(["gsi3"]),
            BTreeSet::from(["FollowupQueue"]),
        ),
        _ => (commands, BTreeSet::new(), BTreeSet::from(["FollowupQueue"])),
    }
}

fn functions(template: &Value) -> BTreeMap<String, (String, Value)> {
    resources(template)
        .into_iter()
        .filter(|(_, r)| text(&r["Type"]) == "AWS::Serverless::Function")
        .map(|(logical, r)| {
            assert_eq!(
                text(&r["Metadata"]["BuildMethod"]),
                "rust-cargolambda",
                "{logical}"
            );
            let binary = text(&r["Metadata"]["BuildProperties"]["Binary"]);
            (binary, (logical, r["Properties"].clone()))
        })
        .collect()
}

#[test]
fn every_binary_is_a_function_on_arm64_and_every_route_reaches_the_function_that_serves_it() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(text(&globals["Runtime"]), "provided.al2023");
    assert_eq!(text(&globals["Architectures"]), "arm64");
    assert_eq!(text(&globals["Handler"]), "bootstrap");
    assert_eq!(text(&globals["LoggingConfig"]["LogFormat"]), "JSON");
    let functions = functions(&template);
    let bin_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bin");
    let binaries: BTreeSet<String> = std::fs::read_dir(bin_dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(functions.keys().cloned().collect::<BTreeSet<_>>(), binaries);
    let mut wired = BTreeSet::new();
    for (binary, (_, properties)) in &functions {
        for (_, event) in properties["Events"].as_mapping().into_iter().flatten() {
            if text(&event["Type"]) == "HttpApi" {
                let p = &event["Properties"];
                wired.insert(format!(
                    "{} {} → {binary}",
                    text(&p["Method"]),
                    text(&p["Path"])
                ));
            }
        }
    }
    let routes: BTreeSet<String> = ROUTES
        .iter()
        .map(|r| format!("{} → {}", r.key(), r.function.name()))
        .collect();
    assert_eq!(wired, routes);
    let auth = &resources(&template)["HttpApi"]["Properties"]["Auth"];
    assert_eq!(text(&auth["DefaultAuthorizer"]), "JwtAuthorizer");
    let jwt = &auth["Authorizers"]["JwtAuthorizer"]["JwtConfiguration"];
    assert_eq!(text(&jwt["issuer"]), "!Ref JwtIssuer");
    assert_eq!(text(&jwt["audience"]), "!Ref JwtAudience");
}

#[test]
fn each_function_gets_only_what_it_uses() {
    let template = template();
    let mut problems = Vec::new();
    for (binary, (logical, properties)) in functions(&template) {
        let (actions, indexes, queues) = allowed(&binary);
        for policy in properties["Policies"].as_sequence().unwrap() {
            let Some(statements) = policy["Statement"].as_sequence() else {
                problems.push(format!(
                    "{logical}: a managed or template policy {}",
                    text(policy)
                ));
                continue;
            };
            for statement in statements {
                assert_eq!(text(&statement["Effect"]), "Allow");
                for action in statement["Action"].as_sequence().unwrap() {
                    let action = text(action);
                    let fits = action.starts_with("sqs:") && action == "sqs:SendMessage"
                        || actions.contains(action.as_str());
                    if !fits || action.contains('*') {
                        problems.push(format!("{logical}: action {action}"));
                    }
                }
                for resource in statement["Resource"].as_sequence().unwrap() {
                    let resource = text(resource);
                    let fits = resource == "!GetAtt Table.Arn"
                        || indexes
                            .iter()
                            .any(|i| resource == format!("!Sub ${{Table.Arn}}/index/{i}"))
                        || queues
                            .iter()
                            .any(|q| resource == format!("!GetAtt {q}.Arn"));
                    if !fits {
                        problems.push(format!("{logical}: resource {resource}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn queues_have_dead_letter_queues_alarms_and_room_for_their_consumers() {
    let template = template();
    let resources = resources(&template);
    let globals_timeout = template["Globals"]["Function"]["Timeout"].as_u64().unwrap();
    let functions = functions(&template);
    let mut dead_letter_queues = BTreeSet::new();
    for (name, queue) in resources
        .iter()
        .filter(|(_, r)| text(&r["Type"]) == "AWS::SQS::Queue")
    {
        if let Some(redrive) = queue["Properties"].get("RedrivePolicy") {
            assert!(redrive["maxReceiveCount"].as_u64().unwrap() >= 5, "{name}");
            let target = text(&redrive["deadLetterTargetArn"]);
            dead_letter_queues.insert(
                target
                    .trim_start_matches("!GetAtt ")
                    .trim_end_matches(".Arn")
                    .to_owned(),
            );
        }
    }
    assert_eq!(dead_letter_queues.len(), 2);
    for dlq in &dead_letter_queues {
        let alarmed = resources.values().any(|r| {
            text(&r["Type"]) == "AWS::CloudWatch::Alarm"
                && r["Properties"]["Dimensions"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .any(|d| text(&d["Value"]) == format!("!GetAtt {dlq}.QueueName"))
        });
        assert!(alarmed, "no alarm on {dlq}");
    }
    let mut consumers = 0;
    for (binary, (_, properties)) in &functions {
        let timeout = properties
            .get("Timeout")
            .and_then(Value::as_u64)
            .unwrap_or(globals_timeout);
        for (_, event) in properties["Events"].as_mapping().into_iter().flatten() {
            if text(&event["Type"]) != "SQS" {
                continue;
            }
            consumers += 1;
            let p = &event["Properties"];
            assert_eq!(
                text(&p["FunctionResponseTypes"]),
                "ReportBatchItemFailures",
                "{binary}"
            );
            let queue = text(&p["Queue"])
                .trim_start_matches("!GetAtt ")
                .trim_end_matches(".Arn")
                .to_owned();
            let visibility = resources[&queue]["Properties"]["VisibilityTimeout"]
                .as_u64()
                .unwrap();
            assert!(
                visibility >= 6 * timeout,
                "{queue}: {visibility} s < 6 × {timeout} s"
            );
        }
    }
    assert_eq!(
        consumers, 1,
        "the follow-up worker consumes the follow-up queue"
    );
    for scheduled in ["payout-release", "outbox-sweeper"] {
        let events = &functions[scheduled].1["Events"];
        let has_schedule = events
            .as_mapping()
            .unwrap()
            .values()
            .any(|e| text(&e["Type"]).starts_with("Schedule"));
        assert!(has_schedule, "{scheduled} runs on a schedule");
    }
}

/// Every value the template lets an operator choose for the trust roots is one the functions
/// accept, and every function gets the choice.
#[test]
fn the_trust_roots_parameter_offers_exactly_what_the_functions_accept() {
    use storno_functions::wiring::{TRUST_ROOTS_VARIABLE, TrustRoots};
    let template = template();
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(text(&variables[TRUST_ROOTS_VARIABLE]), "!Ref TlsRoots");
    let parameter = &template["Parameters"]["TlsRoots"];
    assert_eq!(text(&parameter["Default"]), "amazon");
    let allowed: Vec<String> = parameter["AllowedValues"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert_eq!(allowed, ["amazon", "platform"]);
    for value in &allowed {
        let choice =
            TrustRoots::from_lookup(|name| (name == TRUST_ROOTS_VARIABLE).then(|| value.clone()));
        assert!(choice.is_ok(), "{value}");
    }
}

/// The alarms an operator needs: per function errors and throttles, API 5xx, the follow-up
/// queue's age, dead letters, failed schedules; logs with a retention; schedules that retry
/// into a DLQ; queues that keep a message 14 days; stateful resources kept on stack deletion.
#[test]
fn operations_are_alarmed_retained_and_retried() {
    let template = template();
    let resources = resources(&template);
    let alarms: Vec<(String, String)> = resources
        .values()
        .filter(|r| text(&r["Type"]) == "AWS::CloudWatch::Alarm")
        .flat_map(|r| {
            let p = &r["Properties"];
            let metric = format!("{}/{}", text(&p["Namespace"]), text(&p["MetricName"]));
            p["Dimensions"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(move |d| (metric.clone(), text(&d["Value"])))
                .collect::<Vec<_>>()
        })
        .collect();
    let alarmed = |metric: &str, value: &str| alarms.iter().any(|(m, v)| m == metric && v == value);
    for (binary, (logical, _)) in functions(&template) {
        for metric in ["AWS/Lambda/Errors", "AWS/Lambda/Throttles"] {
            assert!(
                alarmed(metric, &format!("!Ref {logical}")),
                "{binary}: {metric}"
            );
        }
    }
    assert!(alarmed("AWS/ApiGateway/5xx", "!Ref HttpApi"));
    assert!(alarmed(
        "AWS/SQS/ApproximateAgeOfOldestMessage",
        "!GetAtt FollowupQueue.QueueName"
    ));
    assert!(alarmed(
        "AWS/SQS/ApproximateNumberOfMessagesVisible",
        "!GetAtt ScheduleDeadLetterQueue.QueueName"
    ));

    let logging = &template["Globals"]["Function"]["LoggingConfig"];
    assert_eq!(text(&logging["LogGroup"]), "!Ref FunctionLogs");
    let logs = &resources["FunctionLogs"];
    assert_eq!(
        text(&logs["Properties"]["RetentionInDays"]),
        "!Ref LogRetentionDays"
    );
    assert_eq!(template["Parameters"]["LogRetentionDays"]["Default"], 30);

    let mut schedules = 0;
    for (binary, (_, properties)) in functions(&template) {
        for (_, event) in properties["Events"].as_mapping().into_iter().flatten() {
            if text(&event["Type"]) != "ScheduleV2" {
                continue;
            }
            schedules += 1;
            let p = &event["Properties"];
            assert!(
                p["RetryPolicy"]["MaximumRetryAttempts"].as_u64().unwrap() >= 1,
                "{binary}"
            );
            assert_eq!(
                text(&p["DeadLetterConfig"]["Arn"]),
                "!GetAtt ScheduleDeadLetterQueue.Arn",
                "{binary}"
            );
        }
    }
    assert_eq!(schedules, 2);

    for (name, resource) in &resources {
        let kind = text(&resource["Type"]);
        if kind == "AWS::SQS::Queue" {
            assert_eq!(
                resource["Properties"]["MessageRetentionPeriod"], 1_209_600,
                "{name} keeps messages 14 days"
            );
        }
        if [
            "AWS::SQS::Queue",
            "AWS::DynamoDB::Table",
            "AWS::Logs::LogGroup",
        ]
        .contains(&kind.as_str())
        {
            assert_eq!(text(&resource["DeletionPolicy"]), "Retain", "{name}");
            assert_eq!(text(&resource["UpdateReplacePolicy"]), "Retain", "{name}");
        }
    }

    let cors = &resources["HttpApi"]["Properties"]["CorsConfiguration"];
    assert!(
        text(cors).starts_with("!If"),
        "CORS follows CorsAllowedOrigins"
    );
}
