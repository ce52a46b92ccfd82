//! Amounts in OCR text: `parse_amount` on a token, `find_amounts` on a line. No input panics,
//! every amount found points at bytes of the text it was found in, and amounts follow each
//! other without overlapping (callers slice the text between two of them).
#![no_main]

use fidelio::extract::{find_amounts, parse_amount};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_amount(&text);
    let found = find_amounts(&text);
    for pair in found.windows(2) {
        assert!(pair[0].end <= pair[1].start, "amounts overlap in {text:?}");
    }
    for amount in found {
        assert!(
            text.get(amount.start..amount.end).is_some(),
            "amount {} at {}..{} is not a slice of {text:?}",
            amount.value,
            amount.start,
            amount.end
        );
        assert!(amount.value.scale() <= 28);
    }
});
