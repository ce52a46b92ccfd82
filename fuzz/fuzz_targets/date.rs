//! Dates and times in OCR text: `parse_date`, `find_dates`, `find_times`, `parse_time`. No
//! input panics; a time found is a real `HH:MM` of a 24-hour day.
#![no_main]

use fidelio::extract::{find_dates, find_times, parse_date, parse_time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_date(&text);
    for date in find_dates(&text) {
        assert!(date.start <= date.end, "{date:?} in {text:?}");
    }
    let _ = parse_time(&text);
    for time in find_times(&text) {
        let (hours, minutes) = time.time.split_once(':').expect("HH:MM");
        let hours: u32 = hours.parse().expect("hours");
        let minutes: u32 = minutes.parse().expect("minutes");
        assert!(hours < 24 && minutes < 60, "{} from {text:?}", time.time);
        assert!(time.start <= time.end, "{time:?} in {text:?}");
    }
});
