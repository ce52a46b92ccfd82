//! Table-driven decision tests: every campaign rule and every reason code the campaign engine
//! gives, from receipt fixtures written as text.
//!
//! The table is `tests/data/campaign-decisions.toml`. Each case names a campaign (from
//! `campaigns/` or `tests/data/campaigns/`), gives the receipt's OCR text and the fields the
//! extractor read from it (explicitly, so these tests pin campaign rules and not extraction),
//! and the expected status, reason codes, points and cashback. Consecutive cases sharing a
//! `group` are decided by one decider, in order, so caps and budgets carry over between them;
//! `history` seeds a group with awards from earlier nights, as the ledger will.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use fidelio::campaign::{Approval, Campaign, Decider, Decision, PriorAward, Submission};
use fidelio::extract::{Confidence, Item, Receipt};
use fidelio::image::Quality;
use fidelio::ingest::ManifestEntry;
use fidelio::ocr::Line;
use fidelio::{Code, Reason, Status};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::support::{entry, good_quality, lines, page};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    campaign: String,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    history: Vec<PriorAward>,
    #[serde(default = "default_member")]
    member: Option<String>,
    #[serde(default)]
    submitted_at: Option<String>,
    /// An ingest error code (`EMPTY_FILE`): the file never reached OCR.
    #[serde(default)]
    error: Option<Code>,
    #[serde(default)]
    duplicate_of: Option<String>,
    /// No OCR result at all.
    #[serde(default)]
    no_ocr: bool,
    /// A person approved the receipt in review (`fidelio review apply`).
    #[serde(default)]
    approved: bool,
    #[serde(default)]
    quality: QualityOverride,
    #[serde(default)]
    receipt: ReceiptFields,
    #[serde(default)]
    text: String,
    expect: Expect,
}

fn default_member() -> Option<String> {
    Some("m1".into())
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QualityOverride {
    sharpness: Option<f32>,
    glare: Option<f32>,
    brightness: Option<f32>,
    width: Option<u32>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptFields {
    merchant: Option<String>,
    date: Option<String>,
    total: Option<String>,
    currency: Option<String>,
    address: Option<String>,
    /// Merchant, date and total confidence (default 0.9).
    confidence: Option<f32>,
    /// The date's confidence, when it differs from the others.
    date_confidence: Option<f32>,
    #[serde(default)]
    items: Vec<ItemFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFields {
    description: String,
    quantity: Option<String>,
    amount: String,
    /// The count was printed but could not be read.
    #[serde(default)]
    count_unread: bool,
    /// A container deposit: part of the sum, never a product.
    #[serde(default)]
    deposit: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: Status,
    #[serde(default)]
    reasons: Vec<Code>,
    #[serde(default)]
    points: Option<String>,
    #[serde(default)]
    cashback: Option<String>,
    /// Audit rules that must appear (e.g. `merchants.allow[fresco-market]`).
    #[serde(default)]
    audit: Vec<String>,
    /// Audit entries that must point at this OCR line index.
    #[serde(default)]
    audit_line: Option<usize>,
}

fn load_campaign(name: &str) -> Campaign {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        root.join("campaigns").join(format!("{name}.toml")),
        root.join("tests/data/campaigns")
            .join(format!("{name}.toml")),
    ];
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no campaign named {name}"));
    Campaign::load(path).unwrap_or_else(|e| panic!("{e}"))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| panic!("bad decimal {text:?}"))
}

fn receipt(fields: &ReceiptFields, lines: &[Line]) -> Receipt {
    let conf = fields.confidence.unwrap_or(0.9);
    let items = fields
        .items
        .iter()
        .map(|i| Item {
            line: lines
                .iter()
                .position(|l| l.text.contains(&i.description))
                .unwrap_or_else(|| panic!("item {:?} is not in the text", i.description)),
            description: i.description.clone(),
            quantity: i.quantity.as_deref().map(dec),
            unit: None,
            unit_price: None,
            amount: dec(&i.amount),
            count_unread: i.count_unread,
            deposit: i.deposit,
        })
        .collect();
    Receipt {
        merchant: fields.merchant.clone(),
        date: fields.date.as_deref().map(|d| d.parse().expect("date")),
        total: fields.total.as_deref().map(dec),
        currency: fields.currency.clone(),
        address: fields.address.clone(),
        items,
        confidence: Confidence {
            merchant: conf,
            date: fields.date_confidence.unwrap_or(conf),
            total: conf,
            address: conf,
        },
        ..Receipt::default()
    }
}

fn quality(case: &Case) -> Quality {
    let q = &case.quality;
    let good = good_quality();
    Quality {
        width: q.width.unwrap_or(good.width),
        sharpness: q.sharpness.unwrap_or(good.sharpness),
        glare: q.glare.unwrap_or(good.glare),
        brightness: q.brightness.unwrap_or(good.brightness),
        ..good
    }
}

fn entry_for(case: &Case) -> ManifestEntry {
    let member = case.member.as_deref().filter(|m| !m.is_empty());
    ManifestEntry {
        submitted_at: case.submitted_at.clone(),
        duplicate_of: case.duplicate_of.clone(),
        error: case.error.map(|code| Reason::new(code, "from ingest")),
        ..entry(&format!("{}.jpg", case.name), member)
    }
}

fn decide(decider: &mut Decider<'_>, case: &Case) -> Decision {
    let lines = lines(&case.text);
    let receipt = receipt(&case.receipt, &lines);
    let page = page(lines, quality(case));
    let entry = entry_for(case);
    decider.decide(&Submission {
        entry: &entry,
        page: (!case.no_ocr).then_some(&page),
        receipt: (!case.no_ocr).then_some(&receipt),
        file_time: None,
        approval: case.approved.then(Approval::default),
    })
}

/// A mismatch description, or None when the decision is what the case expects.
fn mismatch(case: &Case, d: &Decision) -> Option<String> {
    let e = &case.expect;
    let codes: Vec<Code> = d.reasons.iter().map(|r| r.code).collect();
    let mut wrong = Vec::new();
    if d.status != e.status {
        wrong.push(format!("status {:?}, expected {:?}", d.status, e.status));
    }
    if codes != e.reasons {
        wrong.push(format!("reasons {codes:?}, expected {:?}", e.reasons));
    }
    if let Some(p) = &e.points {
        if d.points != dec(p) {
            wrong.push(format!("points {}, expected {p}", d.points));
        }
    }
    if let Some(c) = &e.cashback {
        if d.cashback != dec(c) {
            wrong.push(format!("cashback {}, expected {c}", d.cashback));
        }
    }
    for rule in &e.audit {
        if !d.audit.iter().any(|a| &a.rule == rule) {
            wrong.push(format!("no audit entry {rule}"));
        }
    }
    if let Some(line) = e.audit_line {
        if !d.audit.iter().any(|a| a.line == Some(line)) {
            wrong.push(format!("no audit entry on line {line}"));
        }
    }
    if d.reasons.iter().any(|r| r.message.trim().is_empty()) {
        wrong.push("a reason has no message".into());
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{}: {}\n  reasons: {:?}\n  audit: {:#?}",
            case.name,
            wrong.join("; "),
            d.reasons,
            d.audit
        )
    })
}

fn table() -> Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/campaign-decisions.toml");
    let text = std::fs::read_to_string(&path).expect("decision table");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_case_decides_as_expected() {
    let table = table();
    let mut failures = Vec::new();
    let mut index = 0;
    while index < table.case.len() {
        let first = &table.case[index];
        let campaign = load_campaign(&first.campaign);
        let mut decider = Decider::new(&campaign, &first.history);
        let group = first.group.clone();
        loop {
            let case = &table.case[index];
            if let Some(m) = mismatch(case, &decide(&mut decider, case)) {
                failures.push(m);
            }
            index += 1;
            let same_group = group.is_some()
                && table
                    .case
                    .get(index)
                    .is_some_and(|next| next.group == group);
            if !same_group {
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The codes the campaign engine can give; ingest- and ledger-only codes are tested there.
const CAMPAIGN_CODES: &[Code] = &[
    Code::EmptyFile,
    Code::OcrFailed,
    Code::DuplicateFile,
    Code::Blurry,
    Code::Glare,
    Code::TooSmall,
    Code::TooDark,
    Code::NotAReceipt,
    Code::NoMember,
    Code::NoDate,
    Code::NoTotal,
    Code::NoMerchant,
    Code::OutOfPeriod,
    Code::SubmittedTooLate,
    Code::MerchantNotEligible,
    Code::StoreNotEligible,
    Code::NoEligibleProduct,
    Code::BelowMinTotal,
    Code::CurrencyMismatch,
    Code::CapReached,
    Code::BudgetExhausted,
    Code::LowConfidence,
    Code::HighTotal,
    Code::HighPoints,
    Code::UncertainMerchant,
    Code::UncertainDate,
];

#[test]
fn the_table_covers_every_campaign_reason_code_and_status() {
    let table = table();
    let used: BTreeSet<Code> = table
        .case
        .iter()
        .flat_map(|c| c.expect.reasons.iter().copied())
        .collect();
    let missing: Vec<&Code> = CAMPAIGN_CODES
        .iter()
        .filter(|c| !used.contains(c))
        .collect();
    assert!(missing.is_empty(), "no case gives {missing:?}");
    let statuses: BTreeSet<Status> = table.case.iter().map(|c| c.expect.status).collect();
    assert_eq!(statuses.len(), Status::ALL.len(), "{statuses:?}");
}

#[test]
fn every_example_campaign_is_used_by_the_table() {
    let table = table();
    let used: BTreeSet<&str> = table.case.iter().map(|c| c.campaign.as_str()).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("campaigns");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if stem == "demo" {
                continue; // the samples' minimal campaign, exercised by the samples tests
            }
            assert!(
                used.contains(stem.as_str()),
                "campaigns/{stem}.toml has no case"
            );
        }
    }
}
