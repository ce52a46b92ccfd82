//! Campaign files: `Campaign::parse` on any text. No input panics, and every campaign it
//! accepts decides the sample receipts twice (a first night, then a night that remembers the
//! first one's awards) without a panic, however large or odd its values.
#![no_main]

use fidelio::campaign::Campaign;
use fidelio_fuzz::{decide_twice, sample_receipts, sample_records};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(campaign) = Campaign::parse(text, "fuzz.toml") {
        decide_twice(sample_records(), sample_receipts(), &campaign);
    }
});
