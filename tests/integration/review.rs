//! `fidelio review export|apply`: receipts held for review, decided by a person, then paid.

use crate::util::Dir;

/// Totals above 50 go to a person; one paid receipt per member over the whole campaign.
const CAMPAIGN: &str = r#"
id = "review-2024"
name = "Review campaign"

[period]
start = 2024-01-01
end = 2024-12-31

[points]
per_currency_unit = 1

[caps.per_member]
receipts = 1

[review]
total_above = 50
"#;

/// A receipt of `shop` whose layout (line count and widths) depends on `items`, so that
/// receipts of different shops never look like photos of one another.
fn french_receipt_of(shop: &str, items: usize, date: &str, total: &str) -> String {
    let mut text = format!("{shop}\n12 RUE DE LA REPUBLIQUE\n69002 LYON\n{date} 14:32\n");
    for i in 0..items {
        let name = [
            "YAOURT NATURE BIO",
            "PAIN",
            "LAIT DEMI ECREME 1L",
            "POMMES",
            "CAFE MOULU",
        ][i % 5];
        text.push_str(&format!(
            "{name}{}1,{:02}\n",
            " ".repeat(4 + (i * 7) % 20),
            i
        ));
    }
    text.push_str(&format!(
        "TOTAL TTC               {total}\nCB                      {total}\n"
    ));
    text
}

fn french_receipt(date: &str, total: &str) -> String {
    french_receipt_of("FRESCO MARKET", 2, date, total)
}

/// A night with two receipts held for review (high totals) and one plain one.
fn night(dir: &Dir) {
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/big.jpg", &french_receipt("14/03/2024", "80,00"));
    dir.receipt(
        "inbox/M2/big.jpg",
        &french_receipt_of("BIOCOOP", 9, "15/03/2024", "95,50"),
    );
    dir.receipt(
        "inbox/M3/small.jpg",
        &french_receipt_of("MAXIMARCHE CENTRE VILLE", 16, "16/03/2024", "12,00"),
    );
    dir.run_text("inbox", "out").expect_code(0);
    let statuses: Vec<String> = dir
        .jsonl("out/results.jsonl")
        .iter()
        .map(|r| format!("{} {} {}", r["member"], r["status"], r["reasons"]))
        .collect();
    assert_eq!(statuses.len(), 3);
    assert!(
        statuses[..2].iter().all(|s| s.contains("\"review\"")),
        "{statuses:#?}"
    );
}

fn id_of(dir: &Dir, member: &str) -> String {
    dir.jsonl("out/results.jsonl")
        .into_iter()
        .find(|r| r["member"] == member)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn export_lists_what_waits_with_what_was_read_and_why() {
    let dir = Dir::new();
    night(&dir);
    let csv = dir.command(&["review", "export"]).stdout();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "receipt_id,decision,merchant,date,time,total,reviewer,note,campaign,batch,member,file,reasons"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    let m1 = format!(
        "{},,FRESCO MARKET,2024-03-14,14:32,80.00,,,review-2024,inbox@",
        id_of(&dir, "M1")
    );
    assert!(lines[1].starts_with(&m1), "{}", lines[1]);
    assert!(lines[1].contains(",M1,inbox/M1/big.jpg,"), "{}", lines[1]);
    assert!(lines[1].contains("HIGH_TOTAL"), "{}", lines[1]);
}

#[test]
fn approved_receipts_are_paid_once_with_corrections_and_rejected_ones_say_why() {
    let dir = Dir::new();
    night(&dir);
    let (m1, m2) = (id_of(&dir, "M1"), id_of(&dir, "M2"));
    // A French spreadsheet: `;`, a comma decimal, a day-first date.
    dir.create(
        "decisions.csv",
        &format!(
            "receipt_id;decision;merchant;date;time;total;reviewer;note\r\n\
             {m1};approve;;;;79,90;ana;total misread\r\n\
             {m2};reject;;;;;ana;photo of a screen\r\n"
        ),
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .expect_code(0);
    let points = dir.read("rev/points.csv");
    assert_eq!(
        points,
        format!(
            "member_id,campaign_id,receipt_id,purchase_date,merchant,total,points\r\n\
             M1,review-2024,{m1},2024-03-14,FRESCO MARKET,79.90,79\r\n"
        )
    );
    let results = dir.jsonl("rev/results.jsonl");
    assert_eq!(results.len(), 2);
    assert_eq!(results[1]["status"], "rejected");
    assert_eq!(results[1]["reasons"][0]["code"], "REJECTED_IN_REVIEW");
    assert!(
        results[1]["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("photo of a screen"),
        "{}",
        results[1]
    );
    assert_eq!(dir.json("rev/summary.json")["points"], "79");

    // The same file again: the same outputs, nothing paid twice.
    dir.command(&["review", "apply", "decisions.csv", "--out", "again"])
        .expect_code(0);
    assert_eq!(dir.read("again/points.csv"), points);
    let export = dir
        .command(&["ledger", "export", "--campaign", "review-2024"])
        .stdout();
    assert_eq!(export.matches(&m1).count(), 1, "{export}");

    // Who decided shows in the member's history; nothing is left to review.
    let history = dir.command(&["ledger", "history", "M1"]).stdout();
    let row: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert_eq!(row["status"], "accepted");
    assert_eq!(row["review"]["reviewer"], "ana");
    assert_eq!(row["review"]["note"], "total misread");
    assert_eq!(
        dir.command(&["review", "export"]).stdout().lines().count(),
        1
    );
}

#[test]
fn a_bad_file_is_refused_line_by_line_and_changes_nothing() {
    let dir = Dir::new();
    night(&dir);
    let m1 = id_of(&dir, "M1");
    let small = id_of(&dir, "M3");
    dir.create(
        "decisions.csv",
        &format!(
            "receipt_id,decision,total\n\
             {m1},approve,12.5.0\n\
             {small},approve,\n\
             {m1},maybe,\n"
        ),
    );
    let stderr = dir
        .command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .stderr_with_code(2);
    assert!(
        stderr.contains("decisions.csv:2:3: total \"12.5.0\""),
        "{stderr}"
    );
    assert!(stderr.contains("decisions.csv:3:1:"), "{stderr}");
    assert!(stderr.contains("never held for review"), "{stderr}");
    assert!(stderr.contains("decisions.csv:4:1:"), "{stderr}");
    assert!(stderr.contains("nothing was applied"), "{stderr}");
    assert!(!dir.join("rev").exists());
    assert_eq!(
        dir.command(&["review", "export"]).stdout().lines().count(),
        3
    );
}

/// Caps count across nights and decisions files: M1 has one receipt paid already, so
/// approving a second one pays nothing.
#[test]
fn approval_still_obeys_the_campaign_s_caps() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt(
        "night1/M1/small.jpg",
        &french_receipt("14/03/2024", "10,00"),
    );
    dir.run_text("night1", "out1").expect_code(0);
    dir.receipt(
        "night2/M1/big.jpg",
        &french_receipt_of("BIOCOOP", 9, "15/03/2024", "70,00"),
    );
    dir.run_text("night2", "out").expect_code(0);
    let big = id_of(&dir, "M1");
    dir.create(
        "decisions.csv",
        &format!("receipt_id,decision\n{big},approve\n"),
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .expect_code(0);
    let results = dir.jsonl("rev/results.jsonl");
    assert_eq!(results[0]["status"], "rejected", "{}", results[0]);
    assert_eq!(results[0]["reasons"][0]["code"], "CAP_REACHED");
    assert_eq!(dir.read("rev/points.csv").lines().count(), 1);
}

/// A receipt nobody sent cannot be paid by approving it: the file says so and nothing is applied.
#[test]
fn a_receipt_without_a_member_cannot_be_approved() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/loose.jpg", &french_receipt("14/03/2024", "10,00"));
    dir.run_text("inbox", "out").expect_code(0);
    let loose = dir.jsonl("out/results.jsonl")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    dir.create(
        "decisions.csv",
        &format!("receipt_id,decision\n{loose},approve\n"),
    );
    let stderr = dir
        .command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .stderr_with_code(2);
    assert!(stderr.contains("decisions.csv:2:2:"), "{stderr}");
    assert!(stderr.contains("reject it instead"), "{stderr}");
}

/// Two receipts of one purchase, both held (the total misread on one): approving both pays
/// the purchase once.
#[test]
fn a_corrected_receipt_that_repeats_a_claimed_purchase_is_a_duplicate() {
    let dir = Dir::new();
    dir.create("campaign.toml", CAMPAIGN);
    dir.receipt("inbox/M1/a.jpg", &french_receipt("14/03/2024", "80,00"));
    // Another photo of the same purchase, so different the images do not match.
    let mut other = french_receipt("14/03/2024", "86,00");
    other.push_str(&"MERCI DE VOTRE VISITE A BIENTOT\n".repeat(12));
    dir.receipt("inbox/M2/b.jpg", &other);
    dir.run_text("inbox", "out").expect_code(0);
    let (a, b) = (id_of(&dir, "M1"), id_of(&dir, "M2"));
    dir.create(
        "decisions.csv",
        &format!("receipt_id,decision,total\n{a},approve,\n{b},approve,80.00\n"),
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .expect_code(0);
    let results = dir.jsonl("rev/results.jsonl");
    assert_eq!(results[0]["status"], "accepted");
    assert_eq!(results[1]["status"], "duplicate", "{}", results[1]);
    assert_eq!(results[1]["reasons"][0]["code"], "DUPLICATE_PURCHASE");
}

/// A count the reader could not settle is the reviewer's to set: the `quantities` column
/// (`LINE=QUANTITY`) sets an item's quantity; a line with no item is refused where it is.
#[test]
fn a_reviewer_sets_item_quantities_by_line() {
    let dir = Dir::new();
    night(&dir);
    let results = dir.jsonl("out/results.jsonl");
    let m1 = results.iter().find(|r| r["member"] == "M1").unwrap();
    let line = m1["receipt"]["items"][0]["line"].as_u64().unwrap();
    let id = m1["id"].as_str().unwrap();
    dir.create(
        "bad.csv",
        &format!("receipt_id,decision,quantities\n{id},approve,999=2\n"),
    );
    let stderr = dir
        .command(&["review", "apply", "bad.csv", "--out", "bad"])
        .stderr_with_code(2);
    assert!(stderr.contains("bad.csv:2:3: receipt"), "{stderr}");
    assert!(stderr.contains("no item read on line 999"), "{stderr}");
    dir.create(
        "decisions.csv",
        &format!("receipt_id,decision,quantities\n{id},approve,{line}=3\n"),
    );
    dir.command(&["review", "apply", "decisions.csv", "--out", "rev"])
        .expect_code(0);
    let after = &dir.jsonl("rev/results.jsonl")[0];
    assert_eq!(after["status"], "accepted", "{after}");
    assert_eq!(after["receipt"]["items"][0]["quantity"], "3", "{after}");
}
