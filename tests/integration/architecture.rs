//! The library's imports flow with the data (ARCHITECTURE.md): a module may use the modules
//! before it in [`LAYERS`], never one after it. Reads `src/` and fails on any `crate::` path in
//! a library module that names a later module, with the file and line, so a backward import is
//! caught in review instead of growing into a cycle.

use std::path::{Path, PathBuf};

/// The library's modules in the order the data passes through them. Modules on the same
/// layer may not use each other either; `defaults` (every default) and `reason` and `jsonl`
/// (the shared vocabulary) come first, `config` (flags resolved into settings) last.
const LAYERS: &[&[&str]] = &[
    &["defaults"],
    &["reason", "jsonl"],
    &["ingest"],
    &["image"],
    &["ocr"],
    &["extract"],
    &["campaign"],
    &["validate"],
    &["eval"],
    &["ledger"],
    &["output"],
    &["review"],
    &["night"],
    &["config"],
];

/// Items the crate root re-exports from `reason` (`crate::Status`).
const ROOT_REEXPORTS: &[&str] = &["Code", "Reason", "Status"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The source without `//` comments and string literals, so prose and messages that mention a
/// module are not imports.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                '\n' => out.push('\n'),
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every module named right after `crate::` (in `crate::{a, b::c}` groups, each top-level
/// name), with its line number.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(offset) = code[at..].find("crate::") {
        let start = at + offset;
        at = start + "crate::".len();
        // `fidelio_crate::` or `some_crate::` are not `crate::`.
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        if bytes.get(at) == Some(&b'{') {
            let mut depth = 0;
            let mut name = String::new();
            let mut expect_name = true;
            for &b in &bytes[at..] {
                match b {
                    b'{' => {
                        depth += 1;
                        expect_name = depth == 1;
                    }
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b',' if depth == 1 => expect_name = true,
                    b if expect_name && depth == 1 && (b.is_ascii_alphanumeric() || b == b'_') => {
                        name.push(b as char)
                    }
                    _ if expect_name && !name.is_empty() => {
                        found.push((line, std::mem::take(&mut name)));
                        expect_name = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.push((line, name));
            }
        } else {
            let name: String = code[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push((line, name));
        }
    }
    found
}

#[test]
fn library_imports_flow_with_the_data() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    // Every library module is placed on a layer: a new module must be placed deliberately.
    for line in lib.lines() {
        if let Some(module) = line.strip_prefix("pub mod ").or(line.strip_prefix("mod ")) {
            let module = module.trim_end_matches(';');
            assert!(
                layer_of(module).is_some(),
                "src/lib.rs declares module `{module}`: place it in LAYERS in {}",
                file!()
            );
        }
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut backwards = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = Path::new(first).with_extension("");
        let module = module.to_str().unwrap();
        // The binary's own files (main.rs, cmd/, args.rs, …) sit above the library.
        let Some(layer) = layer_of(module) else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for (line, name) in crate_paths(&code) {
            checked += 1;
            let used = if ROOT_REEXPORTS.contains(&name.as_str()) {
                layer_of("reason")
            } else {
                layer_of(&name)
            };
            match used {
                Some(used) if used > layer || (used == layer && name != module) => {
                    backwards.push(format!(
                        "src/{}:{line}: `{module}` uses `{name}`",
                        relative.display()
                    ))
                }
                Some(_) => {}
                None => backwards.push(format!(
                    "src/{}:{line}: `crate::{name}` is not a library module",
                    relative.display()
                )),
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} crate:: paths found: is the parser broken?"
    );
    assert!(
        backwards.is_empty(),
        "imports running against the data's path ({:?}):\n{}",
        LAYERS,
        backwards.join("\n")
    );
}

#[test]
fn the_import_parser_reads_groups_nested_paths_and_skips_comments() {
    let code = code_only(
        "use crate::{ocr::OcrRecord, image::{a, b}, reason};\n\
         // crate::output is prose\n\
         let s = \"crate::ledger in a message\";\n\
         let r = crate::campaign::ResultRecord::default();\n",
    );
    let names: Vec<(usize, String)> = crate_paths(&code);
    assert_eq!(
        names,
        vec![
            (1, "ocr".to_string()),
            (1, "image".to_string()),
            (1, "reason".to_string()),
            (4, "campaign".to_string()),
        ]
    );
}
