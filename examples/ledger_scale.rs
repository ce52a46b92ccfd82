//! How the ledger's duplicate checks scale: commit N claims, then time M checks against them.
//!
//! ```text
//! cargo run --release --example ledger_scale -- [CLAIMS] [CHECKS]     (default 100000 1000)
//! ```
//!
//! Two kinds of stored prints: uniformly random ones (the easy case for the multi-index, few
//! chunk collisions), and "shop-like" ones, every claim a variant of one of 300 layouts with
//! 4–16 bits changed per frame (the hard case: look-alike receipts share chunks, so each probe
//! returns more candidates to check). Every check also looks up the content hash and the
//! purchase key, as a real submission does, and every claim carries a layout grid of an A4
//! scan's shape (48 × 68 cells, stored as a PNG of about 2.5 KB), compared with each
//! candidate's.

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;

use fidelio::image::{Grid, Phash};
use fidelio::ledger::{
    fingerprint_inputs, BatchCommit, BatchKey, Claim, DecidedReceipt, DuplicatePolicy, Ledger,
};
use fidelio::Status;

struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `base` with `bits` random bits flipped.
    fn near(&mut self, base: u64, bits: u32) -> u64 {
        (0..bits).fold(base, |h, _| h ^ (1 << (self.next() % 64)))
    }
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let claims = args.next().and_then(Result::ok).unwrap_or(100_000);
    let checks = args.next().and_then(Result::ok).unwrap_or(1000);
    for shop_like in [false, true] {
        measure(claims, checks, shop_like);
    }
}

fn measure(claims: usize, checks: usize, shop_like: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(dir.path()).expect("ledger");
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    let layouts: Vec<u64> = (0..300).map(|_| random.next()).collect();
    let print = |random: &mut Random| {
        let frames = [0, 1, 2].map(|_| {
            if shop_like {
                let layout = layouts[(random.next() % 300) as usize];
                let bits = 4 + (random.next() % 13) as u32;
                random.near(layout, bits)
            } else {
                random.next()
            }
        });
        Phash { frames }
    };
    let receipts: Vec<DecidedReceipt> = (0..claims)
        .map(|i| DecidedReceipt {
            position: i,
            file: format!("night/{i:06}.jpg"),
            claim: claim(i as u64, print(&mut random)),
            status: Status::Accepted,
            reasons: vec![],
            points: Decimal::ONE,
            cashback: Decimal::ZERO,
            finding: None,
        })
        .collect();
    let started = Instant::now();
    ledger
        .commit_batch(&BatchCommit {
            key: BatchKey {
                campaign: "spring".into(),
                batch: "history".into(),
            },
            inputs: fingerprint_inputs(
                receipts
                    .iter()
                    .map(|r| (r.claim.receipt_id.as_str(), None, r.file.as_str())),
            ),
            rules: String::new(),
            campaign_rules: "{}".into(),
            held: Vec::new(),
            committed_at: Utc::now(),
            receipts,
            revocations: vec![],
            outputs: vec![],
        })
        .expect("commit");
    let committed = started.elapsed();

    let checker = ledger.claim_checker("spring", "tonight", DuplicatePolicy::default());
    let queries: Vec<Claim> = (0..checks)
        .map(|i| claim(10_000_000 + i as u64, print(&mut random)))
        .collect();
    let started = Instant::now();
    let mut found = 0;
    for query in &queries {
        found += usize::from(checker.check(query).expect("check").is_some());
    }
    let checked = started.elapsed();
    let size = std::fs::metadata(ledger.path())
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "{} prints: commit {claims} claims {:.1} s ({:.0} MB); {checks} checks {:.2} s = {:.2} ms \
         each; {found} matched",
        if shop_like { "shop-like" } else { "random" },
        committed.as_secs_f64(),
        size as f64 / 1e6,
        checked.as_secs_f64(),
        checked.as_secs_f64() * 1000.0 / checks as f64,
    );
}

/// Claim `n`: spread over a 90-day campaign and a shop's opening hours, so a day holds about
/// 1 100 of 100 000 claims and a minute a couple, as in a real campaign.
fn claim(n: u64, phash: Phash) -> Claim {
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap() + chrono::Days::new(n % 90);
    let minute = 8 * 60 + (n / 90) % 720;
    Claim {
        receipt_id: blake3::hash(&n.to_le_bytes()).to_hex().to_string(),
        member: Some(format!("m{}", n % 5000)),
        purchase_key: Some(format!("shop|{day}|10:00|{n}.00|")),
        phash: Some(phash),
        grid: Some(grid(n)),
        merchant: Some("shop".into()),
        date: Some(day),
        time: Some(format!("{:02}:{:02}", minute / 60, minute % 60)),
        total: Some(Decimal::from(n)),
        ticket: Some(format!("{}", 1000 + n / 90)),
    }
}

/// A receipt's layout grid: paper, and ink in about a third of the cells, placed by `n`.
fn grid(n: u64) -> Grid {
    let mut state = Random(n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let cells = (0..48 * 68)
        .map(|_| match state.next() % 6 {
            0 => 60 + (state.next() % 60) as u8,
            1 => 150 + (state.next() % 60) as u8,
            _ => 236 + (state.next() % 4) as u8,
        })
        .collect();
    Grid {
        width: 2480,
        height: 3508,
        columns: 48,
        rows: 68,
        cells,
    }
}
