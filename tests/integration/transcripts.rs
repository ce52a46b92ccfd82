//! Receipt layouts the samples do not have, as transcripts: Carrefour, E.Leclerc, Lidl,
//! Monoprix, Franprix, Picard, Intermarché and Darty tickets, a pharmacy, a café and a Paris
//! brasserie bill; REWE, EDEKA, ALDI SÜD, dm and MediaMarkt in Germany; Tesco, Sainsbury's,
//! Boots and the Co-op in Britain. A second round: Auchan, Biocoop, Decathlon, IKEA, monop',
//! a bakery, a brasserie and a TotalEnergies station in France; Netto, Kaufland, Rossmann, a
//! Bäckerei, a Gasthaus and an Aral station in Germany; Pret, Waitrose, M&S and a Shell
//! station in Britain; a 99 Speedmart and a kedai runcit in Malaysia. A third round: a
//! Casino shop, a Fnac, a market cheesemonger and a Spar in France; Lidl and a pharmacy in
//! Germany; Greggs and Asda in Britain; AEON and a kopitiam in Malaysia. A fourth: a
//! McDonald's and a tabac in France, Penny and dm in Germany, Costa and Boots in Britain,
//! Tesco and Nando's in Malaysia. A fifth: Paul and Leroy Merlin in France, Delhaize in
//! Belgium, OBI in Germany, BILLA in Austria, Migros in Switzerland (francs), Morrisons in
//! Britain, Dunnes Stores in Ireland (euros with a decimal point), and a Guardian pharmacy,
//! a hardware shop and a restaurant in Malaysia. A sixth: a franprix, a Boulanger and a
//! bistrot in France, Müller in Germany, and MR. D.I.Y., Popular, a bakery and a Petron
//! station in Malaysia. A seventh: a U express, Grand Frais, Action, Nicolas and an Esso
//! station in France, ALDI Nord in Germany, a 7-Eleven and a KFC in Malaysia. An eighth, all
//! right before any change: a Carrefour Market paid partly by voucher, a Relay, a bakery;
//! Kaufland with a deposit returned and EDEKA with a coupon; Lidl in Britain; a Giant and a
//! restaurant with service charge and SST in Malaysia. A ninth, all right before any change
//! too: an Intermarché (`Montant dû`, loyalty points), a Monoprix, Penny and REWE, a
//! Wetherspoon pub, a Mydin. Each
//! `tests/data/transcripts/NAME.txt` is read by the text engine through `fidelio eval` and
//! must give every field of `NAME.json` beside it, items included.
//! Each round was written after the extraction rules, to check that those carry over to tills
//! they were not tuned on; the rules they found missing have their own unit tests (round one:
//! a weight printed below its item, a count column, rates without a percent sign, thousands
//! grouped by spaces; round two: the address ending at the town, savings printed for
//! information, counts restated or printed after the name, fuel in pence a litre, the
//! ringgit on Malaysian tills that print bare amounts; round three: a country closing a
//! company's name is no address, a card named above the total was bought; round four: an
//! order number ends an address, `15.42 Uhr` is a time; round five: Belgian, Swiss and British
//! street kinds such as `Chaussée`, and German compounds such as `-damm`; round six: a legal
//! name wrapped after `&`, a share of the price above such as `dont éco-part.`; round seven: a
//! count below a name priced at one unit, a store named after its street).

use std::path::PathBuf;

use crate::util::Dir;

/// Transcripts in `tests/data/transcripts`, all nine rounds.
const TRANSCRIPTS: usize = 99;

fn transcripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/transcripts")
}

#[test]
fn every_field_of_every_transcript_is_read() {
    let dir = Dir::new();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(transcripts()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            dir.receipt(&format!("in/{name}.png"), &text);
            names.push(name);
        }
    }
    assert_eq!(names.len(), TRANSCRIPTS, "transcripts found: {names:?}");
    let labels = transcripts();
    let all_fields = "merchant=100,date=100,time=100,total=100,currency=100,address=100,items=100";
    let out = dir
        .command(&[
            "eval",
            "in",
            "--engine",
            "text",
            "--verbose",
            "--min",
            all_fields,
        ])
        .args(["--labels", labels.to_str().unwrap()])
        .output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!("{TRANSCRIPTS} labelled receipts scored")),
        "{stdout}"
    );
}
