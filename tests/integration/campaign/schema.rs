//! `campaigns/schema.json`, the Rust model and `docs/campaign.md` describe the same
//! keys: every example campaign validates against the schema, every table of the model allows
//! exactly the schema's keys, and every key is used in `every-key.toml` and documented.

use std::collections::BTreeSet;
use std::path::PathBuf;

use fidelio::campaign::Campaign;
use serde_json::Value as Json;
use toml::Value as Toml;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Json {
    let text = std::fs::read_to_string(root().join("campaigns/schema.json")).unwrap();
    serde_json::from_str(&text).expect("schema.json is JSON")
}

fn every_key() -> (String, toml::Table) {
    let text = std::fs::read_to_string(root().join("tests/data/campaigns/every-key.toml")).unwrap();
    let table = toml::from_str(&text).unwrap();
    (text, table)
}

/// The object branch of a schema node (`anyOf` of a string and a table picks the table).
fn object_branch(schema: &Json) -> Option<&Json> {
    if schema.get("properties").is_some() {
        return Some(schema);
    }
    schema
        .get("anyOf")?
        .as_array()?
        .iter()
        .find(|s| s.get("properties").is_some())
}

fn type_ok(kind: &str, value: &Toml, schema: &Json) -> bool {
    match (kind, value) {
        ("object", Toml::Table(_)) | ("array", Toml::Array(_)) | ("boolean", Toml::Boolean(_)) => {
            true
        }
        ("string", Toml::String(_)) | ("integer", Toml::Integer(_)) => true,
        ("number", Toml::Integer(_) | Toml::Float(_)) => true,
        ("string", Toml::Datetime(_)) => {
            schema.get("format").and_then(Json::as_str) == Some("date")
        }
        _ => false,
    }
}

/// A small structural validator: types, enums, properties, required, items, patterns, bounds.
fn validate(schema: &Json, value: &Toml, at: &str, errors: &mut Vec<String>) {
    if let Some(branches) = schema.get("anyOf").and_then(Json::as_array) {
        let fits = branches.iter().any(|b| {
            let mut e = Vec::new();
            validate(b, value, at, &mut e);
            e.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: matches no allowed form"));
        }
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
        let ok = value
            .as_str()
            .is_some_and(|v| allowed.iter().any(|a| a.as_str() == Some(v)));
        if !ok {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        return;
    }
    let kinds: Vec<&str> = match schema.get("type") {
        Some(Json::String(k)) => vec![k.as_str()],
        Some(Json::Array(ks)) => ks.iter().filter_map(Json::as_str).collect(),
        _ => vec![],
    };
    if !kinds.is_empty() && !kinds.iter().any(|k| type_ok(k, value, schema)) {
        errors.push(format!("{at}: {value} is not {kinds:?}"));
        return;
    }
    if let (Some(pattern), Toml::String(text)) =
        (schema.get("pattern").and_then(Json::as_str), value)
    {
        if !regex::Regex::new(pattern).unwrap().is_match(text) {
            errors.push(format!("{at}: {text:?} does not match {pattern}"));
        }
    }
    let number = match value {
        Toml::Integer(i) => Some(*i as f64),
        Toml::Float(f) => Some(*f),
        _ => None,
    };
    if let Some(n) = number {
        let below = schema
            .get("minimum")
            .and_then(Json::as_f64)
            .is_some_and(|m| n < m);
        let above = schema
            .get("maximum")
            .and_then(Json::as_f64)
            .is_some_and(|m| n > m);
        if below || above {
            errors.push(format!("{at}: {n} is out of bounds"));
        }
    }
    match value {
        Toml::Table(table) => {
            let props = schema.get("properties").and_then(Json::as_object);
            for (key, item) in table {
                match props.and_then(|p| p.get(key)) {
                    Some(sub) => validate(sub, item, &format!("{at}.{key}"), errors),
                    None => errors.push(format!("{at}: key `{key}` is not in the schema")),
                }
            }
            for required in schema
                .get("required")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let key = required.as_str().unwrap();
                if !table.contains_key(key) {
                    errors.push(format!("{at}: missing `{key}`"));
                }
            }
        }
        Toml::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(item_schema, item, &format!("{at}[{i}]"), errors);
                }
            }
        }
        _ => {}
    }
}

fn campaign_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["campaigns", "tests/data/campaigns"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_example_campaign_validates_against_the_schema() {
    let schema = schema();
    let files = campaign_files();
    assert!(files.len() >= 6);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Toml = toml::from_str(&text).unwrap();
        let mut errors = Vec::new();
        validate(&schema, &doc, "", &mut errors);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        Campaign::parse(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn the_schema_refuses_what_the_model_refuses() {
    let schema = schema();
    let doc: Toml = toml::from_str(
        "id = \"x\"\nname = \"x\"\nnmae = 1\n[period]\nstart = 2024-03-01\nend = 2024-03-02\n",
    )
    .unwrap();
    let mut errors = Vec::new();
    validate(&schema, &doc, "", &mut errors);
    assert_eq!(errors, [": key `nmae` is not in the schema"]);
}

/// Every table in `every-key.toml`, as a path of keys and array indexes, with its schema node.
fn tables<'s>(schema: &'s Json, value: &Toml, at: Vec<Step>, out: &mut Vec<(Vec<Step>, &'s Json)>) {
    match value {
        Toml::Table(table) => {
            let Some(obj) = object_branch(schema) else {
                return;
            };
            out.push((at.clone(), obj));
            for (key, item) in table {
                if let Some(sub) = obj["properties"].get(key) {
                    let mut next = at.clone();
                    next.push(Step::Key(key.clone()));
                    tables(sub, item, next, out);
                }
            }
        }
        Toml::Array(items) => {
            if let (Some(item_schema), Some(first)) = (schema.get("items"), items.first()) {
                let mut next = at.clone();
                next.push(Step::Index(0));
                tables(item_schema, first, next, out);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn table_at<'a>(doc: &'a mut toml::Table, path: &[Step]) -> &'a mut toml::Table {
    let mut value: &mut Toml = doc
        .get_mut(match &path[0] {
            Step::Key(k) => k.as_str(),
            Step::Index(_) => unreachable!("paths start with a key"),
        })
        .unwrap();
    for step in &path[1..] {
        value = match step {
            Step::Key(k) => value.get_mut(k.as_str()).unwrap(),
            Step::Index(i) => value.get_mut(*i).unwrap(),
        };
    }
    value.as_table_mut().unwrap()
}

#[test]
fn every_table_of_the_model_allows_exactly_the_schema_keys() {
    let schema = schema();
    let (_, doc) = every_key();
    let mut found = Vec::new();
    tables(&schema, &Toml::Table(doc.clone()), Vec::new(), &mut found);
    assert!(found.len() >= 17, "{}", found.len());
    for (path, node) in found {
        let mut probe = doc.clone();
        let table = if path.is_empty() {
            &mut probe
        } else {
            table_at(&mut probe, &path)
        };
        table.insert("zz_not_a_key".into(), Toml::Integer(1));
        let text = toml::to_string(&probe).unwrap();
        let err = Campaign::parse(&text, "probe")
            .expect_err("unknown key accepted")
            .to_string();
        let allowed = err
            .split("(allowed: ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap_or_else(|| panic!("{path:?}: no allowed list in {err}"));
        let model: BTreeSet<String> = allowed
            .split(", ")
            .map(|k| k.trim_matches('`').to_string())
            .collect();
        let schema_keys: BTreeSet<String> = node["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(model, schema_keys, "{path:?}");
    }
}

/// Dotted key paths of the schema's leaves, arrays written without index (`products.ean`).
fn leaves(schema: &Json, at: &str, out: &mut Vec<String>) {
    let node = match schema.get("items") {
        Some(items) => items,
        None => schema,
    };
    let Some(obj) = object_branch(node) else {
        out.push(at.to_string());
        return;
    };
    for (key, sub) in obj["properties"].as_object().unwrap() {
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        leaves(sub, &path, out);
    }
}

fn has_path(value: &Toml, path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    let next = match value {
        Toml::Array(items) => return items.iter().any(|i| has_path(i, path)),
        Toml::Table(t) => t.get(*first),
        _ => None,
    };
    next.is_some_and(|v| has_path(v, rest))
}

#[test]
fn every_key_is_used_once_in_every_key_toml_and_documented() {
    let schema = schema();
    let mut all = Vec::new();
    leaves(&schema, "", &mut all);
    assert!(all.len() > 60, "{}", all.len());
    let (_, doc) = every_key();
    let doc = Toml::Table(doc);
    let reference = std::fs::read_to_string(root().join("docs/campaign.md")).unwrap();
    for key in &all {
        let parts: Vec<&str> = key.split('.').collect();
        assert!(
            has_path(&doc, &parts),
            "every-key.toml does not use `{key}`"
        );
        assert!(
            reference.contains(&format!("`{key}`")),
            "docs/campaign.md does not document `{key}`"
        );
    }
}

#[test]
fn the_reference_examples_are_valid_campaigns() {
    // The full example at the end of the reference is a campaign that passes check.
    let reference = std::fs::read_to_string(root().join("docs/campaign.md")).unwrap();
    let full = reference
        .split("<!-- full-example -->")
        .nth(1)
        .and_then(|s| s.split("```toml").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("a full example marked <!-- full-example -->");
    Campaign::parse(full, "docs/campaign.md").unwrap_or_else(|e| panic!("{e}"));
}
