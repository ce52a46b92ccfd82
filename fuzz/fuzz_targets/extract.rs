//! The extractor on arbitrary OCR lines (see `fidelio_fuzz::page_from_text` for how the text
//! becomes a page): no page panics and the receipt read serialises. (Deciding receipts under
//! campaigns is the `campaign` target's.)
#![no_main]

use fidelio::extract::read_page;
use fidelio_fuzz::page_from_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let page = page_from_text(&text);
    let receipt = read_page(&page);
    serde_json::to_string(&receipt).expect("a receipt serialises");
});
