//! CLI conventions: `--version` names what reads the receipts, shell completions and a man page.

use crate::util::Dir;

#[test]
fn version_names_the_readers_and_the_ledger_schema() {
    let dir = Dir::new();
    let long = dir.command(&["--version"]).stdout();
    assert!(
        long.starts_with(&format!("fidelio {}", env!("CARGO_PKG_VERSION"))),
        "{long}"
    );
    assert!(long.contains("ONNX Runtime 1."), "{long}");
    assert!(long.contains("tesseract: "), "{long}");
    assert!(long.contains("ledger schema: "), "{long}");
    let short = dir.command(&["-V"]).stdout();
    assert_eq!(
        short.trim(),
        format!("fidelio {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    let dir = Dir::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = dir.command(&["completions", shell]).stdout();
        for sub in ["run", "review", "report", "ledger", "eval"] {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let bash = dir.command(&["completions", "bash"]).stdout();
    assert!(bash.contains("complete -F _fidelio"), "{bash}");
    dir.command(&["completions", "tcsh"]).expect_code(2);
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let dir = Dir::new();
    let page = dir.command(&["man"]).stdout();
    assert!(page.contains(".TH fidelio 1"), "{page}");
    for sub in ["run", "review", "report", "completions"] {
        assert!(
            page.contains(&format!("fidelio\\-{sub}")),
            "man page lacks {sub}"
        );
    }
}
