//! `docs/schemas/*.schema.json` describe what fidelio writes: real outputs of every status (a
//! night, a night with a product campaign and review, a review apply) validate against them,
//! and the reason codes they list are exactly fidelio's.

use std::path::Path;

use serde_json::Value;

use crate::util::Dir;

pub fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(name);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn check(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{value}");
}

#[test]
fn real_outputs_validate_against_the_documented_schemas() {
    let results = schema("results.schema.json");
    let summary = schema("summary.schema.json");
    let dir = Dir::new();
    crate::run::batch(&dir);
    // A receipt without a member: review.
    dir.receipt(
        "inbox/loose.jpg",
        &crate::run::german_receipt("15.03.2024", 3),
    );
    dir.run_text("inbox", "out").output();
    let lines = dir.jsonl("out/results.jsonl");
    let statuses: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 5, "every status is checked: {statuses:?}");
    for line in &lines {
        check(&results, line, "results.jsonl");
    }
    check(&summary, &dir.json("out/summary.json"), "summary.json");

    let id = lines.iter().find(|r| r["status"] == "review").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    dir.create(
        "decisions.csv",
        &format!("receipt_id,decision,note\n{id},reject,blurry\n"),
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .expect_code(0);
    for line in dir.jsonl("rev/results.jsonl") {
        check(&results, &line, "review results.jsonl");
    }
    check(
        &summary,
        &dir.json("rev/summary.json"),
        "review summary.json",
    );
}

#[test]
fn the_schemas_list_exactly_fidelio_s_reason_codes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas/results.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let listed: Vec<&str> = schema["$defs"]["reason"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let codes: Vec<&str> = fidelio::reason::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(listed, codes);
}
