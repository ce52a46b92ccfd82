//! Fraud signals end to end: each doctored receipt is made by the test, run through the
//! nightly job on the text engine, and must raise its reason code; the campaign's `[fraud]`
//! table decides whether that means review or rejection.

use fidelio::image::metadata::{exif_segment, with_segment};
use fidelio::image::screen::photograph_screen;

use crate::util::{codes, french_receipt, receipt_image, Dir, CAMPAIGN};

fn result(dir: &Dir, file: &str) -> serde_json::Value {
    dir.jsonl("out/results.jsonl")
        .into_iter()
        .find(|r| r["file"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("no result for {file}"))
}

#[test]
fn a_copy_saved_by_an_image_editor_goes_to_review_or_is_rejected() {
    for (setting, status) in [
        ("", "review"),
        ("[fraud]\nedited_image = \"reject\"\n", "rejected"),
    ] {
        let dir = Dir::new();
        dir.create("campaign.toml", &format!("{CAMPAIGN}\n{setting}"));
        let text = french_receipt("14/03/2024", "4,20");
        let clean = receipt_image("x.jpg", &text);
        let segment = exif_segment(Some("Adobe Photoshop 25.0 (Windows)"), None);
        dir.create_bytes("inbox/M1/edited.jpg", &with_segment(&clean, &segment));
        dir.create("inbox/M1/edited.txt", &text);
        dir.run_text("inbox", "out").arg("-q").output();
        let edited = result(&dir, "edited.jpg");
        assert_eq!(edited["status"], status, "{edited}");
        assert_eq!(codes(&edited), ["EDITED_IMAGE"], "{edited}");
        let message = edited["reasons"][0]["message"].as_str().unwrap();
        assert!(message.contains("Adobe Photoshop 25.0"), "{message}");
    }
}

#[test]
fn a_phone_photo_with_its_camera_software_is_accepted() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let text = french_receipt("14/03/2024", "4,20");
    let segment = exif_segment(Some("Android RP1A.200720.012"), Some("2024:03:14 18:02:11"));
    let photo = with_segment(&receipt_image("x.jpg", &text), &segment);
    dir.create_bytes("inbox/M1/phone.jpg", &photo);
    dir.create("inbox/M1/phone.txt", &text);
    dir.run_text("inbox", "out").expect_code(0);
    assert_eq!(result(&dir, "phone.jpg")["status"], "accepted");
}

#[test]
fn a_photo_of_a_screen_is_flagged() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let text = french_receipt("14/03/2024", "4,20");
    let page = image::load_from_memory(&receipt_image("x.png", &text))
        .unwrap()
        .to_luma8();
    let shot = photograph_screen(&page, 0.8, 1.5);
    let mut bytes = Vec::new();
    shot.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Jpeg,
    )
    .unwrap();
    dir.create_bytes("inbox/M1/screen.jpg", &bytes);
    dir.create("inbox/M1/screen.txt", &text);
    dir.receipt("inbox/M2/paper.jpg", &french_receipt("15/03/2024", "4,20"));
    dir.run_text("inbox", "out").arg("-q").output();
    let screen = result(&dir, "screen.jpg");
    assert_eq!(screen["status"], "review", "{screen}");
    assert_eq!(codes(&screen), ["SCREEN_PHOTO"], "{screen}");
    assert_eq!(result(&dir, "paper.jpg")["status"], "accepted");
}

#[test]
fn a_purchase_dated_after_it_was_sent_or_photographed_is_impossible() {
    let dir = Dir::new();
    dir.create(
        "campaign.toml",
        &format!("{CAMPAIGN}\n[fraud]\nimpossible_date = \"reject\"\n"),
    );
    dir.receipt("inbox/sent.jpg", &french_receipt("20/03/2024", "4,20"));
    dir.receipt("inbox/ontime.jpg", &french_receipt("09/03/2024", "4,20"));
    let text = french_receipt("20/03/2024", "4,20");
    let taken = exif_segment(None, Some("2024:03:02 10:00:00"));
    dir.create_bytes(
        "inbox/camera.jpg",
        &with_segment(&receipt_image("x.jpg", &text), &taken),
    );
    dir.create("inbox/camera.txt", &text);
    dir.create(
        "members.csv",
        "file,member,submitted_at\nsent.jpg,M1,2024-03-10T09:00:00Z\n\
         ontime.jpg,M2,2024-03-10T09:00:00Z\ncamera.jpg,M3,2024-03-25T09:00:00Z\n",
    );
    dir.run_text("inbox", "out")
        .args(["--manifest", "members.csv", "-q"])
        .output();
    let sent = result(&dir, "sent.jpg");
    assert_eq!(sent["status"], "rejected", "{sent}");
    assert_eq!(codes(&sent), ["IMPOSSIBLE_DATE"]);
    assert!(sent["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("after the receipt was sent (2024-03-10)"));
    let camera = result(&dir, "camera.jpg");
    assert_eq!(codes(&camera), ["IMPOSSIBLE_DATE"], "{camera}");
    assert!(camera["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("camera date"));
    assert_eq!(result(&dir, "ontime.jpg")["status"], "accepted");
}

#[test]
fn items_that_do_not_add_up_to_the_total_are_flagged_when_the_till_vouches_for_them() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    // The total raised from 4,20 to 9,20; the till's article count says both items were read.
    let raised = "FRESCO MARKET\n12 RUE DE LA REPUBLIQUE\n69002 LYON\n14/03/2024 14:32\n\
        YAOURT NATURE BIO        2,40\nPAIN COMPLET             1,80\nTOTAL TTC               9,20\n\
        CB                      9,20\nNB ARTICLES : 2\nMERCI DE VOTRE VISITE\n";
    dir.receipt("inbox/M1/raised.jpg", raised);
    // The same receipt without the count: the items may simply be incomplete.
    let unvouched = raised
        .replace("NB ARTICLES : 2\n", "")
        .replace("14/03/2024", "15/03/2024");
    dir.receipt("inbox/M2/unvouched.jpg", &unvouched);
    dir.run_text("inbox", "out").arg("-q").output();
    let flagged = result(&dir, "raised.jpg");
    assert_eq!(flagged["status"], "review", "{flagged}");
    assert_eq!(codes(&flagged), ["SUM_MISMATCH"], "{flagged}");
    assert_eq!(
        flagged["reasons"][0]["message"],
        "the 2 items add up to 4.20, not to the total 9.20"
    );
    assert_eq!(result(&dir, "unvouched.jpg")["status"], "accepted");
}

/// Regression: a receipt nobody sent (no member folder, no manifest row) went to review as
/// `NO_MEMBER` alone, and the fraud signals found on it were dropped from the reasons.
#[test]
fn a_receipt_without_a_member_keeps_its_fraud_signals() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let text = french_receipt("14/03/2024", "4,20");
    let segment = exif_segment(Some("GIMP 2.10.36"), None);
    dir.create_bytes(
        "inbox/edited.jpg",
        &with_segment(&receipt_image("x.jpg", &text), &segment),
    );
    dir.create("inbox/edited.txt", &text);
    dir.run_text("inbox", "out").arg("-q").output();
    let edited = result(&dir, "edited.jpg");
    assert_eq!(edited["status"], "review", "{edited}");
    assert_eq!(codes(&edited), ["NO_MEMBER", "EDITED_IMAGE"], "{edited}");
}

/// `picture` with the first characters of one printed row painted over and other strokes
/// drawn in their place, saved as JPEG: what an image editor makes of a photo whose day of
/// purchase was retyped.
fn retouch(picture: &[u8], row: u32) -> Vec<u8> {
    let mut page = image::load_from_memory(picture).unwrap().to_luma8();
    let top = 26 + row * 34;
    for y in top..top + 48 {
        for x in 16..64 {
            let stroke = (x % 12 == 3 || x % 12 == 7) && (top + 8..top + 40).contains(&y);
            page.put_pixel(x, y, image::Luma([if stroke { 20 } else { 250 }]));
        }
    }
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&page)
        .unwrap();
    bytes
}

#[test]
fn a_claimed_picture_sent_again_with_its_date_retyped_is_a_changed_region() {
    for (setting, status) in [
        ("", "review"),
        ("[fraud]\nchanged_region = \"reject\"\n", "rejected"),
        ("[fraud]\nchanged_region = \"off\"\n", "accepted"),
    ] {
        let dir = Dir::new();
        dir.create("campaign.toml", &format!("{CAMPAIGN}\n{setting}"));
        let text = french_receipt("14/03/2024", "4,20");
        let original = receipt_image("a.jpg", &text);
        dir.create_bytes("mon/M1/a.jpg", &original);
        dir.create("mon/M1/a.txt", &text);
        dir.run_text("mon", "out-mon")
            .args(["--batch", "mon", "-q"])
            .expect_code(0);
        // The next night another member sends the same picture with the date row (row 3)
        // painted over and retyped: the fields say another day's purchase.
        dir.create_bytes("tue/M2/b.jpg", &retouch(&original, 3));
        dir.create("tue/M2/b.txt", &french_receipt("15/03/2024", "4,20"));
        dir.run_text("tue", "out")
            .args(["--batch", "tue", "-q"])
            .output();
        let edited = result(&dir, "b.jpg");
        assert_eq!(edited["status"], status, "{setting}: {edited}");
        if status == "accepted" {
            // Off: judged on its print and fields, which say another day.
            assert_eq!(codes(&edited), Vec::<String>::new(), "{edited}");
            continue;
        }
        assert_eq!(
            codes(&edited),
            ["CHANGED_REGION", "CLAIMED_BY_OTHER_MEMBER"],
            "{edited}"
        );
        let message = edited["reasons"][0]["message"].as_str().unwrap();
        assert!(message.contains("mon/M1/a.jpg"), "{message}");
        assert!(message.contains("% down the page"), "{message}");
    }
}

#[test]
fn the_same_picture_read_with_another_date_is_a_repeat_not_another_purchase() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    let text = french_receipt("14/03/2024", "4,20");
    let original = receipt_image("a.png", &text);
    dir.create_bytes("mon/M1/a.png", &original);
    dir.create("mon/M1/a.txt", &text);
    dir.run_text("mon", "out-mon")
        .args(["--batch", "mon", "-q"])
        .expect_code(0);
    // The same picture re-encoded as JPEG, its date misread: no region changed, one picture.
    let page = image::load_from_memory(&original).unwrap().to_luma8();
    let mut again = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut again, 80)
        .encode_image(&page)
        .unwrap();
    dir.create_bytes("tue/M1/again.jpg", &again);
    dir.create("tue/M1/again.txt", &french_receipt("15/03/2024", "4,20"));
    dir.run_text("tue", "out")
        .args(["--batch", "tue", "-q"])
        .output();
    let repeat = result(&dir, "again.jpg");
    assert_eq!(repeat["status"], "duplicate", "{repeat}");
    assert_eq!(codes(&repeat), ["DUPLICATE_IMAGE"], "{repeat}");
}
