//! Store-level tests: batches, replay, duplicates over time, awards, revocations, purge.
//! Each test works on its own temporary state directory.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::campaign::ResultRecord;
use crate::image::{distance, Phash};
use crate::reason::{Code, Status};

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, d, 23, 0, 0).unwrap()
}

fn money(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn id(n: u64) -> String {
    blake3::hash(&n.to_le_bytes()).to_hex().to_string()
}

fn claim(n: u64, member: &str) -> Claim {
    Claim {
        receipt_id: id(n),
        member: Some(member.to_string()),
        merchant: Some("Carrefour".into()),
        date: NaiveDate::from_ymd_opt(2024, 3, 1),
        total: Some(money("10.00") + Decimal::from(n)),
        ..Claim::default()
    }
}

/// A print whose inner frames are far from everything else in these tests.
fn print(whole: u64) -> Phash {
    Phash {
        frames: [whole, !whole, whole.rotate_left(32) ^ 0x5555_5555_5555_5555],
    }
}

fn decided(position: usize, claim: Claim, status: Status, points: &str) -> DecidedReceipt {
    DecidedReceipt {
        position,
        file: format!("in/{position:03}.jpg"),
        claim,
        status,
        reasons: vec![],
        points: money(points),
        cashback: Decimal::ZERO,
        finding: None,
    }
}

fn key(batch: &str) -> BatchKey {
    BatchKey {
        campaign: "spring".into(),
        batch: batch.into(),
    }
}

fn commit(batch: &str, receipts: Vec<DecidedReceipt>, at: DateTime<Utc>) -> BatchCommit {
    let inputs = fingerprint_inputs(receipts.iter().map(|r| {
        (
            r.claim.receipt_id.as_str(),
            r.claim.member.as_deref(),
            r.file.as_str(),
        )
    }));
    BatchCommit {
        key: key(batch),
        inputs,
        rules: "rules-v1".into(),
        campaign_rules: "{}".into(),
        held: vec![],
        committed_at: at,
        receipts,
        revocations: vec![],
        outputs: vec![
            (
                "points.csv".into(),
                format!("points of {batch}\r\n").into_bytes(),
            ),
            (
                "results.jsonl".into(),
                format!("{{\"batch\":\"{batch}\"}}\n").into_bytes(),
            ),
        ],
    }
}

fn open() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    (dir, ledger)
}

fn count(ledger: &Ledger, table: &str) -> i64 {
    ledger
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_committed_batch_replays_its_outputs_verbatim() {
    let (_dir, mut ledger) = open();
    let batch = commit(
        "mon",
        vec![decided(0, claim(1, "m1"), Status::Accepted, "10")],
        day(4),
    );
    assert!(matches!(
        ledger
            .begin_batch(&batch.key, &batch.inputs, "rules-v1")
            .unwrap(),
        BatchStart::Fresh
    ));
    ledger.commit_batch(&batch).unwrap();
    let BatchStart::Replay(stored) = ledger
        .begin_batch(&batch.key, &batch.inputs, "rules-v1")
        .unwrap()
    else {
        panic!("expected a replay");
    };
    let mut expected = batch.outputs.clone();
    expected.sort();
    assert_eq!(stored.outputs, expected);
    assert!(!stored.rules_changed);
    assert_eq!(stored.committed_at, "2024-03-04T23:00:00Z");
    let BatchStart::Replay(changed) = ledger.begin_batch(&batch.key, &batch.inputs, "v2").unwrap()
    else {
        panic!("expected a replay");
    };
    assert!(changed.rules_changed);
    let err = ledger.commit_batch(&batch).unwrap_err();
    assert!(
        matches!(err, LedgerError::BatchAlreadyCommitted { .. }),
        "{err}"
    );
    assert_eq!(count(&ledger, "awards"), 1, "nothing awarded twice");
}

#[test]
fn a_committed_batch_refuses_different_inputs() {
    let (_dir, mut ledger) = open();
    let batch = commit(
        "mon",
        vec![decided(0, claim(1, "m1"), Status::Accepted, "10")],
        day(4),
    );
    ledger.commit_batch(&batch).unwrap();
    let more = fingerprint_inputs([
        (id(1).as_str(), Some("m1"), "in/000.jpg"),
        (id(2).as_str(), Some("m1"), "in/001.jpg"),
    ]);
    let err = ledger
        .begin_batch(&batch.key, &more, "rules-v1")
        .unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::BatchInputsChanged {
                committed: 1,
                now: 2,
                ..
            }
        ),
        "{err}"
    );
    // The same batch name in another campaign is another batch.
    let other = BatchKey {
        campaign: "autumn".into(),
        batch: "mon".into(),
    };
    assert!(matches!(
        ledger.begin_batch(&other, &more, "r").unwrap(),
        BatchStart::Fresh
    ));
}

#[test]
fn input_fingerprints_ignore_order_and_paths_but_not_members() {
    let a = fingerprint_inputs([("h1", Some("m1"), "a/1.jpg"), ("h2", None, "a/2.jpg")]);
    let b = fingerprint_inputs([("h2", None, "b/2.jpg"), ("h1", Some("m1"), "b/1.jpg")]);
    let c = fingerprint_inputs([("h1", Some("m2"), "a/1.jpg"), ("h2", None, "a/2.jpg")]);
    assert_eq!(a, b);
    assert_ne!(a.digest, c.digest);
    assert_eq!(a.files, 2);
}

#[test]
fn a_staged_batch_that_is_not_committed_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let batch = commit(
        "mon",
        vec![decided(0, claim(1, "m1"), Status::Accepted, "10")],
        day(4),
    );
    {
        let mut ledger = Ledger::open(dir.path()).unwrap();
        let staged = ledger.stage_batch(&batch).unwrap();
        drop(staged); // the process dies here, mid-transaction
    }
    let ledger = Ledger::open(dir.path()).unwrap();
    for table in ["batches", "batch_outputs", "receipts", "awards"] {
        assert_eq!(count(&ledger, table), 0, "{table}");
    }
    assert!(matches!(
        ledger
            .begin_batch(&batch.key, &batch.inputs, "rules-v1")
            .unwrap(),
        BatchStart::Fresh
    ));
}

#[test]
fn a_failing_commit_rolls_back_everything_it_wrote() {
    let (_dir, mut ledger) = open();
    let mut batch = commit(
        "mon",
        vec![decided(0, claim(1, "m1"), Status::Accepted, "10")],
        day(4),
    );
    batch.revocations = vec![999]; // no such pending revocation: the last step fails
    let err = ledger.commit_batch(&batch).unwrap_err();
    assert!(
        matches!(err, LedgerError::RevocationsChanged { .. }),
        "{err}"
    );
    for table in ["batches", "receipts", "awards"] {
        assert_eq!(count(&ledger, table), 0, "{table}");
    }
}

#[test]
fn same_bytes_in_a_later_batch_point_at_the_original() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, claim(1, "m1"), Status::Accepted, "10")],
            day(4),
        ))
        .unwrap();
    let checker = ledger.claim_checker("spring", "tue", DuplicatePolicy::default());
    let again = checker.check(&claim(1, "m1")).unwrap().unwrap();
    assert_eq!(again.kind, MatchKind::SameFile);
    assert_eq!(again.original.batch, "mon");
    assert_eq!(again.original.file, "in/000.jpg");
    assert!(!again.other_member);
    assert_eq!(again.status(&DuplicatePolicy::default()), Status::Duplicate);
    assert_eq!(again.reasons()[0].code, Code::DuplicateFile);
    assert!(again.reasons()[0].message.contains("batch mon"));

    let friend = checker.check(&claim(1, "m2")).unwrap().unwrap();
    assert!(friend.other_member);
    let codes: Vec<Code> = friend.reasons().iter().map(|r| r.code).collect();
    assert_eq!(codes, [Code::DuplicateFile, Code::ClaimedByOtherMember]);
    assert!(friend.reasons()[1].message.contains("member m1"));

    assert!(checker.check(&claim(2, "m1")).unwrap().is_none());
    // Duplicates are per campaign: another brand may reward the same receipt.
    let other = ledger.claim_checker("autumn", "tue", DuplicatePolicy::default());
    assert!(other.check(&claim(1, "m1")).unwrap().is_none());
}

#[test]
fn the_same_purchase_photographed_again_is_a_duplicate_or_review() {
    let (_dir, mut ledger) = open();
    let mut first = claim(1, "m1");
    first.purchase_key = Some("carrefour|2024-03-01|10:00|11.00|".into());
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, first, Status::Accepted, "11")],
            day(4),
        ))
        .unwrap();
    let mut retake = claim(7, "m2");
    retake.purchase_key = Some("carrefour|2024-03-01|10:00|11.00|".into());
    let policy = DuplicatePolicy {
        near_duplicate: Status::Review,
        ..DuplicatePolicy::default()
    };
    let checker = ledger.claim_checker("spring", "tue", policy);
    let found = checker.check(&retake).unwrap().unwrap();
    assert_eq!(found.kind, MatchKind::SamePurchase);
    assert_eq!(found.status(&policy), Status::Review);
    assert!(found.other_member);
}

/// Regression: a 500-receipt run paid one receipt twice. The second copy, sent by another
/// member, was read with its shop and total slipped (26.40 for 26.80), so its purchase key
/// differed, and its image was too far for the print alone; the ticket number and date agreed.
#[test]
fn a_ticket_read_again_with_a_slipped_total_is_claimed_by_the_other_member() {
    let (_dir, mut ledger) = open();
    let ticket = |n: u64, member: &str, merchant: &str, total: &str| {
        let mut c = claim(n, member);
        c.merchant = Some(merchant.into());
        c.total = Some(money(total));
        c.ticket = Some("7930F713".into());
        c.phash = Some(print(n * 0x1111_1111));
        c.purchase_key = Some(format!("{merchant}|2024-03-01||{total}|7930F713"));
        c
    };
    let first = ticket(1, "m1", "FRESCO MARKET", "26.80");
    let other_receipt = ticket(2, "m3", "FRESCO MARKET", "7.35");
    ledger
        .commit_batch(&commit(
            "mon",
            vec![
                decided(0, first, Status::Accepted, "26"),
                decided(
                    1,
                    Claim {
                        ticket: Some("1207".into()),
                        ..other_receipt
                    },
                    Status::Accepted,
                    "7",
                ),
            ],
            day(4),
        ))
        .unwrap();
    let checker = ledger.claim_checker("spring", "tue", DuplicatePolicy::default());
    let copy = ticket(9, "m2", "FRESC0 MARKEI", "26.40");
    let found = checker.check(&copy).unwrap().unwrap();
    assert_eq!(
        found.kind,
        MatchKind::MisreadPurchase {
            differs: vec!["shop".into(), "total".into()]
        }
    );
    assert!(found.other_member);
    assert_eq!(found.original.file, "in/000.jpg");
    let codes: Vec<Code> = found.reasons().iter().map(|r| r.code).collect();
    assert_eq!(codes, [Code::DuplicatePurchase, Code::ClaimedByOtherMember]);
    // Another purchase of that day at that shop is not taken for it.
    let next = ticket(10, "m2", "FRESCO MARKET", "41.15");
    let next = Claim {
        ticket: Some("7931A002".into()),
        ..next
    };
    assert!(checker.check(&next).unwrap().is_none());
}

#[test]
fn a_rejected_photo_does_not_hold_the_purchase_but_its_bytes_do() {
    let (_dir, mut ledger) = open();
    let mut blurry = claim(1, "m1");
    blurry.purchase_key = Some("k".into());
    blurry.phash = Some(print(0xF0F0));
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, blurry.clone(), Status::Rejected, "0")],
            day(4),
        ))
        .unwrap();
    let checker = ledger.claim_checker("spring", "tue", DuplicatePolicy::default());
    let mut retake = claim(2, "m1");
    retake.purchase_key = Some("k".into());
    retake.phash = Some(print(0xF0F0));
    assert!(checker.check(&retake).unwrap().is_none());
    let resent = checker.check(&blurry).unwrap().unwrap();
    assert_eq!(resent.kind, MatchKind::SameFile);
}

#[test]
fn similar_images_match_when_close_or_when_fields_agree() {
    let (_dir, mut ledger) = open();
    let mut original = claim(1, "m1");
    original.phash = Some(print(0));
    original.time = Some("10:04".into());
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, original.clone(), Status::Accepted, "11")],
            day(4),
        ))
        .unwrap();
    let policy = DuplicatePolicy::default();
    let checker = ledger.claim_checker("spring", "tue", policy);
    let near = |bits: u32, total: &str| Claim {
        receipt_id: id(100 + u64::from(bits)),
        phash: Some(print((1u64 << bits) - 1)),
        total: Some(money(total)),
        ..original.clone()
    };
    // Within `image_same`: a match whatever total was read…
    let close = checker
        .check(&near(policy.image_same, "99.99"))
        .unwrap()
        .unwrap();
    assert_eq!(
        close.kind,
        MatchKind::SimilarImage {
            distance: policy.image_same
        }
    );
    // …but not against another date. Regression: receipts of one shop a month apart hashed
    // within 2 bits of each other and were refused as duplicates (9 of 378 SROIE receipts,
    // scripts/near-dup-eval).
    let next_month = Claim {
        date: NaiveDate::from_ymd_opt(2024, 4, 1),
        ..near(policy.image_same, "12.00")
    };
    assert!(checker.check(&next_month).unwrap().is_none());
    // Even with the same total and minute: a regular's purchase of another month.
    let same_amount = Claim {
        total: Some(money("11")),
        ..next_month.clone()
    };
    assert!(checker.check(&same_amount).unwrap().is_none());
    // Within `image_similar`: only when the total agrees. Regression
    // (`run::per_member_cap_and_budget_hold_across_batches`): the same minute with a total one
    // digit away (10.00, 30.00) is another customer of the shop, not a slip.
    let loose = near(policy.image_similar, "11.00");
    assert!(checker.check(&loose).unwrap().is_some());
    assert!(checker
        .check(&near(policy.image_similar, "11.80"))
        .unwrap()
        .is_none());
    assert!(checker
        .check(&near(policy.image_similar, "32.00"))
        .unwrap()
        .is_none());
    assert!(checker
        .check(&near(policy.image_similar + 1, "11.00"))
        .unwrap()
        .is_none());
}

#[test]
fn near_duplicate_search_finds_what_a_full_scan_finds() {
    let (_dir, mut ledger) = open();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let query = Phash {
        frames: [next(), next(), next()],
    };
    // `distance` bits flipped, spread over the four chunks: the multi-index worst case.
    let flip =
        |hash: u64, distance: u32| (0..distance).fold(hash, |h, i| h ^ (1 << ((i * 37) % 64)));
    let mut prints: Vec<Phash> = (0..2000)
        .map(|_| Phash {
            frames: [next(), next(), next()],
        })
        .collect();
    // Planted neighbours along each path of `distance`: whole to whole, query whole to a
    // stored inner frame, query inner frame to a stored whole page.
    for bits in 0..16u32 {
        let mut whole = prints[0];
        whole.frames[0] = flip(query.frames[0], bits + 1);
        let mut inner = prints[1];
        inner.frames[2] = flip(query.frames[0], bits);
        let mut reverse = prints[2];
        reverse.frames[0] = flip(query.frames[1], bits + 2);
        prints.extend([whole, inner, reverse]);
    }
    let receipts = prints
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut c = claim(i as u64, "m1");
            c.phash = Some(p);
            c.total = None; // no field agreement: only the strict threshold applies
            decided(i, c, Status::Accepted, "1")
        })
        .collect();
    ledger
        .commit_batch(&commit("mon", receipts, day(4)))
        .unwrap();
    for max in [0, 1, 3, 4, 7, 8, 11] {
        let policy = DuplicatePolicy {
            image_same: max,
            image_similar: max,
            ..DuplicatePolicy::default()
        };
        let checker = ledger.claim_checker("spring", "tue", policy);
        let probe = Claim {
            receipt_id: id(1_000_000),
            phash: Some(query),
            ..Claim::default()
        };
        let found = checker.check(&probe).unwrap();
        let best = prints
            .iter()
            .map(|p| distance(p, &query))
            .filter(|&d| d <= max)
            .min();
        assert_eq!(
            found.map(|f| f.kind),
            best.map(|distance| MatchKind::SimilarImage { distance }),
            "max {max}"
        );
    }
}

#[test]
fn later_submissions_in_a_batch_are_checked_against_earlier_ones() {
    let (_dir, ledger) = open();
    let mut checker = ledger.claim_checker("spring", "mon", DuplicatePolicy::default());
    let mut first = claim(1, "m1");
    first.purchase_key = Some("k".into());
    assert!(checker.check(&first).unwrap().is_none());
    checker.remember(0, "in/000.jpg", &first, Status::Accepted);
    let mut second = claim(2, "m2");
    second.purchase_key = Some("k".into());
    let found = checker.check(&second).unwrap().unwrap();
    assert_eq!(found.original.batch, "mon");
    assert_eq!(found.original.file, "in/000.jpg");
    assert!(found.other_member);
}

#[test]
fn duplicates_are_linked_to_their_original_row() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, claim(1, "m1"), Status::Accepted, "11")],
            day(4),
        ))
        .unwrap();
    let checker = ledger.claim_checker("spring", "tue", DuplicatePolicy::default());
    let finding = checker.check(&claim(1, "m2")).unwrap();
    let mut dup = decided(0, claim(1, "m2"), Status::Duplicate, "0");
    dup.finding = finding;
    ledger
        .commit_batch(&commit("tue", vec![dup], day(5)))
        .unwrap();
    let (original, other): (i64, bool) = ledger
        .conn
        .query_row(
            "SELECT original, other_member FROM receipts WHERE batch = 'tue'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let first: i64 = ledger
        .conn
        .query_row("SELECT id FROM receipts WHERE batch = 'mon'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!((original, other), (first, true));
    assert_eq!(
        ledger.stats(None).unwrap().campaigns[0].claimed_by_two_members,
        1
    );
}

#[test]
fn prior_awards_span_batches_and_leave_out_revoked_ones() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "mon",
            vec![
                decided(0, claim(1, "m1"), Status::Accepted, "11"),
                decided(1, claim(2, "m2"), Status::Rejected, "0"),
            ],
            day(4),
        ))
        .unwrap();
    ledger
        .commit_batch(&commit(
            "tue",
            vec![decided(0, claim(3, "m1"), Status::Accepted, "13")],
            day(5),
        ))
        .unwrap();
    let prior = ledger.prior_awards("spring").unwrap();
    assert_eq!(
        prior
            .iter()
            .map(|a| (a.member.as_deref(), a.batch.as_str(), a.points))
            .collect::<Vec<_>>(),
        [
            (Some("m1"), "mon", money("11")),
            (Some("m1"), "tue", money("13"))
        ]
    );
    ledger.revoke(&id(1), None, "fraud", day(6)).unwrap();
    let prior = ledger.prior_awards("spring").unwrap();
    assert_eq!(prior.len(), 1);
    assert_eq!(prior[0].receipt_id, id(3));
}

#[test]
fn a_revocation_goes_out_once_as_a_negative_line_of_the_next_batch() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, claim(1, "m1"), Status::Accepted, "11")],
            day(4),
        ))
        .unwrap();
    let revocation = ledger
        .revoke(&id(1)[..12], Some("spring"), "fraud", day(5))
        .unwrap();
    assert_eq!(revocation.points, money("-11"));
    assert_eq!(revocation.batch, None);
    let err = ledger.revoke(&id(1), None, "again", day(5)).unwrap_err();
    assert!(matches!(err, LedgerError::AlreadyRevoked { .. }), "{err}");

    let pending = ledger.pending_revocations("spring").unwrap();
    assert_eq!(pending, vec![revocation.clone()]);
    let mut tuesday = commit("tue", vec![], day(5));
    tuesday.revocations = pending.iter().map(|r| r.seq).collect();
    ledger.commit_batch(&tuesday).unwrap();
    assert!(ledger.pending_revocations("spring").unwrap().is_empty());
    let lines = ledger.award_lines("spring").unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].kind, "revocation");
    assert_eq!(lines[1].batch.as_deref(), Some("tue"));
    assert_eq!(lines[1].reason.as_deref(), Some("fraud"));
    let history = ledger.member_history("m1", None).unwrap();
    assert!(history[0].revoked);
}

#[test]
fn revoking_needs_an_award_and_an_unambiguous_id() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "mon",
            vec![
                decided(0, claim(1, "m1"), Status::Accepted, "11"),
                decided(1, claim(2, "m1"), Status::Rejected, "0"),
            ],
            day(4),
        ))
        .unwrap();
    let mut autumn = commit(
        "mon",
        vec![decided(0, claim(1, "m1"), Status::Accepted, "5")],
        day(4),
    );
    autumn.key.campaign = "autumn".into();
    ledger.commit_batch(&autumn).unwrap();
    let unknown = ledger.revoke(&id(2), None, "x", day(5)).unwrap_err();
    assert!(
        matches!(unknown, LedgerError::UnknownReceipt(_)),
        "{unknown}"
    );
    let short = ledger.revoke("abc", None, "x", day(5)).unwrap_err();
    assert!(matches!(short, LedgerError::UnknownReceipt(_)), "{short}");
    let ambiguous = ledger.revoke(&id(1), None, "x", day(5)).unwrap_err();
    assert!(
        matches!(ambiguous, LedgerError::AmbiguousReceipt { count: 2, .. }),
        "{ambiguous}"
    );
    let done = ledger.revoke(&id(1), Some("autumn"), "x", day(5)).unwrap();
    assert_eq!(done.campaign, "autumn");
    assert_eq!(done.points, money("-5"));
}

#[test]
fn purge_forgets_old_batches_entirely() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "feb",
            vec![decided(0, claim(1, "m1"), Status::Accepted, "11")],
            day(1),
        ))
        .unwrap();
    ledger.revoke(&id(1), None, "fraud", day(2)).unwrap();
    ledger
        .commit_batch(&commit(
            "mar",
            vec![decided(0, claim(2, "m1"), Status::Accepted, "12")],
            day(20),
        ))
        .unwrap();
    let report = ledger
        .purge_before(NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(), None)
        .unwrap();
    assert_eq!(
        report,
        PurgeReport {
            batches: 1,
            receipts: 1,
            award_lines: 2
        }
    );
    assert_eq!(count(&ledger, "batches"), 1);
    assert_eq!(count(&ledger, "batch_outputs"), 2);
    assert_eq!(count(&ledger, "receipts"), 1);
    assert_eq!(count(&ledger, "awards"), 1);
    let history = ledger.member_history("m1", None).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].batch, "mar");
    assert_eq!(ledger.integrity_check().unwrap(), "ok");
}

#[test]
fn stats_count_statuses_awards_and_revocations() {
    let (_dir, mut ledger) = open();
    ledger
        .commit_batch(&commit(
            "mon",
            vec![
                decided(0, claim(1, "m1"), Status::Accepted, "11"),
                decided(1, claim(2, "m2"), Status::Accepted, "12"),
                decided(2, claim(3, "m2"), Status::Rejected, "0"),
            ],
            day(4),
        ))
        .unwrap();
    ledger.revoke(&id(2), None, "fraud", day(5)).unwrap();
    let stats = ledger.stats(Some("spring")).unwrap();
    assert_eq!(stats.schema_version, SCHEMA_VERSION);
    let spring = &stats.campaigns[0];
    assert_eq!(spring.batches, 1);
    assert_eq!(spring.last_batch.as_deref(), Some("mon"));
    assert_eq!(spring.receipts, 3);
    assert_eq!(spring.by_status["accepted"], 2);
    assert_eq!(spring.members, 2);
    assert_eq!((spring.awards, spring.points_awarded), (2, money("23")));
    assert_eq!(
        (spring.revocations, spring.points_revoked),
        (1, money("12"))
    );
    assert_eq!(spring.pending_revocations, 1);
    assert!(ledger.stats(Some("nope")).unwrap().campaigns.is_empty());
}

#[test]
fn batch_names_are_plain_and_default_to_the_input_folder() {
    for good in ["2024-03-01", "night_7", "a.b", "inbox@2026-12-02"] {
        validate_batch_name(good).unwrap();
    }
    for bad in ["", ".hidden", "a/b", "a b", &"x".repeat(101)] {
        assert!(validate_batch_name(bad).is_err(), "{bad}");
    }
    let dir = tempfile::tempdir().unwrap();
    let night = dir.path().join("2024-03-01");
    std::fs::create_dir(&night).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    assert_eq!(
        batch_name_from_inputs(std::slice::from_ref(&night), today).unwrap(),
        "2024-03-01@2026-12-02"
    );
    assert!(batch_name_from_inputs(&[night.clone(), night.clone()], today).is_err());
    assert!(batch_name_from_inputs(&[night.join("missing.jpg")], today).is_err());
    // Regression: a drop folder named with accents or spaces made every night's default name
    // invalid (exit 2); it is spelt plainly instead.
    for (folder, batch) in [
        ("reçus", "recus@2026-12-02"),
        ("Inbox 2", "Inbox-2@2026-12-02"),
        (".drop (new)", "drop-new@2026-12-02"),
    ] {
        let folder = dir.path().join(folder);
        std::fs::create_dir(&folder).unwrap();
        assert_eq!(
            batch_name_from_inputs(std::slice::from_ref(&folder), today).unwrap(),
            batch
        );
    }
    let long = dir.path().join("é".repeat(120));
    std::fs::create_dir(&long).unwrap();
    let name = batch_name_from_inputs(std::slice::from_ref(&long), today).unwrap();
    validate_batch_name(&format!("{name}.99")).unwrap();
}

#[test]
fn a_ledger_survives_reopening_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut ledger = Ledger::open(dir.path()).unwrap();
        ledger
            .commit_batch(&commit(
                "mon",
                vec![decided(0, claim(1, "m1"), Status::Accepted, "11")],
                day(4),
            ))
            .unwrap();
    }
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(ledger.prior_awards("spring").unwrap().len(), 1);
}

fn result(file: &str, id_n: u64, member: &str, status: Status, total: &str) -> ResultRecord {
    ResultRecord {
        file: file.into(),
        path_bytes: None,
        id: id(id_n),
        member: Some(member.into()),
        status,
        reasons: vec![],
        receipt: Some(crate::extract::Receipt {
            merchant: Some("Carrefour".into()),
            date: NaiveDate::from_ymd_opt(2024, 3, 1),
            time: Some("10:00".into()),
            total: Some(money(total)),
            ..Default::default()
        }),
        points: if status == Status::Accepted {
            money(total).floor()
        } else {
            Decimal::ZERO
        },
        cashback: None,
        campaign: "spring".into(),
        merchant_id: None,
        products: vec![],
        duplicate_of: None,
        audit: vec![],
    }
}

#[test]
fn settling_turns_repeats_that_would_pay_into_duplicates_or_review() {
    let (_dir, mut ledger) = open();
    let policy = DuplicatePolicy {
        near_duplicate: Status::Review,
        ..DuplicatePolicy::default()
    };
    let mut monday = vec![result("mon/a.jpg", 1, "alice", Status::Accepted, "20.00")];
    let decided = {
        let mut checker = ledger.claim_checker("spring", "mon", policy);
        settle(&mut checker, &mut monday, &[]).unwrap()
    };
    assert!(decided[0].finding.is_none());
    ledger
        .commit_batch(&commit("mon", decided, day(4)))
        .unwrap();

    let mut tuesday = vec![
        // Another photo of Alice's purchase, by Bob: would pay, so it goes to review.
        result("tue/b1.jpg", 2, "bob", Status::Accepted, "20.00"),
        // The same purchase again, but rejected for its own reasons: it stays rejected, and
        // the repeat is said after them.
        ResultRecord {
            reasons: vec![crate::reason::Reason::new(Code::Glare, "glare")],
            ..result("tue/b2.jpg", 3, "bob", Status::Rejected, "20.00")
        },
        // Alice's very file: a duplicate whatever was decided.
        result("tue/a.jpg", 1, "alice", Status::Rejected, "20.00"),
        // New purchases are left alone; the second repeats the first within the batch.
        result("tue/c1.jpg", 4, "carol", Status::Accepted, "7.00"),
        result("tue/c2.jpg", 5, "carol", Status::Accepted, "7.00"),
    ];
    let mut checker = ledger.claim_checker("spring", "tue", policy);
    let decided = settle(&mut checker, &mut tuesday, &[]).unwrap();
    let statuses: Vec<Status> = tuesday.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Review,
            Status::Rejected,
            Status::Duplicate,
            Status::Accepted,
            Status::Review
        ]
    );
    assert_eq!(tuesday[0].points, Decimal::ZERO);
    assert_eq!(
        tuesday[0]
            .reasons
            .iter()
            .map(|r| r.code)
            .collect::<Vec<_>>(),
        [Code::DuplicatePurchase, Code::ClaimedByOtherMember]
    );
    assert_eq!(
        tuesday[1]
            .reasons
            .iter()
            .map(|r| r.code)
            .collect::<Vec<_>>(),
        [
            Code::Glare,
            Code::DuplicatePurchase,
            Code::ClaimedByOtherMember
        ]
    );
    assert_eq!(tuesday[1].points, Decimal::ZERO);
    assert_eq!(tuesday[4].reasons[0].code, Code::DuplicatePurchase);
    assert!(tuesday[4].reasons[0].message.contains("tue/c1.jpg"));
    assert_eq!(decided[2].reasons, [Code::DuplicateFile]);
    assert_eq!(decided[3].points, money("7"));
    assert_eq!(
        decided.iter().map(|d| d.position).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
}

/// A layout grid of `width` × `height` pixels: paper, with ink in every third cell, and
/// `retouched` cells of row 40 darkened.
fn layout(width: u32, height: u32, retouched: usize) -> crate::image::Grid {
    let mut cells: Vec<u8> = (0..48 * 68)
        .map(|i| if i % 3 == 0 { 60 } else { 235 })
        .collect();
    for cell in cells.iter_mut().skip(40 * 48).take(retouched) {
        *cell = cell.saturating_sub(40);
    }
    crate::image::Grid {
        width,
        height,
        columns: 48,
        rows: 68,
        cells,
    }
}

#[test]
fn a_claimed_picture_retouched_is_a_changed_region_only_at_its_own_size() {
    let (_dir, mut ledger) = open();
    let mut original = claim(1, "m1");
    original.phash = Some(print(0));
    original.grid = Some(layout(2480, 3508, 0));
    ledger
        .commit_batch(&commit(
            "mon",
            vec![decided(0, original.clone(), Status::Accepted, "11")],
            day(4),
        ))
        .unwrap();
    let checker = ledger.claim_checker("spring", "tue", DuplicatePolicy::default());
    // Its date retyped: the fields say another day, the grid says the same picture retouched.
    let retouched = Claim {
        receipt_id: id(2),
        member: Some("m2".into()),
        date: NaiveDate::from_ymd_opt(2024, 3, 9),
        grid: Some(layout(2480, 3508, 3)),
        ..original.clone()
    };
    let finding = checker.check(&retouched).unwrap().unwrap();
    assert!(
        matches!(finding.kind, MatchKind::ChangedRegion { cells: 3, .. }),
        "{finding:?}"
    );
    assert_eq!(finding.status(checker.policy()), Status::Review);
    assert_eq!(
        finding.reasons().iter().map(|r| r.code).collect::<Vec<_>>(),
        [Code::ChangedRegion, Code::ClaimedByOtherMember]
    );
    // Untouched, its date misread: the same picture, a repeat whatever was read.
    let misread = Claim {
        grid: Some(layout(2480, 3508, 0)),
        ..retouched.clone()
    };
    let finding = checker.check(&misread).unwrap().unwrap();
    assert_eq!(finding.kind, MatchKind::SimilarImage { distance: 0 });
    // At another pixel size the grids are not compared (resampling moves cells like an
    // edit): the fields decide, and another date is another purchase.
    let resized = Claim {
        grid: Some(layout(1240, 1754, 3)),
        ..retouched.clone()
    };
    assert!(checker.check(&resized).unwrap().is_none());
    // With the signal off, the retouched copy is judged on its fields too.
    let off = DuplicatePolicy {
        changed_region: None,
        ..DuplicatePolicy::default()
    };
    let checker = ledger.claim_checker("spring", "tue", off);
    assert!(checker.check(&retouched).unwrap().is_none());
}
