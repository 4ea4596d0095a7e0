//! `docs/errors.md` lists every code a client can see: the core's refusals and the codes the
//! HTTP layer and storno-local's edge answer with. A code added in the source without a line
//! in the catalogue fails here.

use std::collections::BTreeMap;
use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rust_files(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The first string literal after each `marker` in `source`, if it is a snake_case code.
fn codes_after(source: &str, marker: &str) -> Vec<String> {
    source
        .match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &source[at + marker.len()..];
            let open = rest.find('"')?;
            // Only the literal of this call: nothing but a status may come before it.
            if rest[..open].contains(';') || rest[..open].contains('(') {
                return None;
            }
            let literal = &rest[open + 1..];
            let code = &literal[..literal.find('"')?];
            let snake =
                !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            snake.then(|| code.to_owned())
        })
        .collect()
}

/// `code → status` as the catalogue's table states it.
fn catalogue() -> BTreeMap<String, String> {
    read(&Path::new(ROOT).join("docs/errors.md"))
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((code.to_owned(), cells[1].to_owned()))
        })
        .collect()
}

#[test]
fn every_code_in_the_source_is_in_the_catalogue() {
    let listed = catalogue();
    let mut missing = Vec::new();

    // The core: the arms of DomainError::code and of the party-field codes.
    let core = read(&Path::new(ROOT).join("core/src/error.rs"));
    let section = |from: &str, to: &str| {
        let start = core
            .find(from)
            .unwrap_or_else(|| panic!("{from} in error.rs"));
        let end = start
            + core[start..]
                .find(to)
                .unwrap_or_else(|| panic!("{to} after {from}"));
        core[start..end].to_owned()
    };
    let arms = section("pub fn code(&self)", "pub fn require_version")
        + &section("fn party_code(", "#[cfg(test)]");
    let mut found = Vec::new();
    for code in arms.split("=> \"").skip(1) {
        found.push(code[..code.find('"').unwrap()].to_owned());
    }

    // The HTTP layer and storno-local's edge.
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("functions/src"), &mut files);
    rust_files(&Path::new(ROOT).join("functions/local/src"), &mut files);
    for file in &files {
        let source = read(file);
        for marker in ["Problem::new(", "bad_request(", "problem(", "raw_problem("] {
            found.extend(codes_after(&source, marker));
        }
    }
    assert!(
        found.len() > 80,
        "only {} codes found in the source",
        found.len()
    );
    for code in &found {
        if !listed.contains_key(code) {
            missing.push(code.clone());
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "not in docs/errors.md: {missing:?}");
}

#[test]
fn the_catalogue_states_a_status_for_every_code() {
    let listed = catalogue();
    assert!(listed.len() > 80);
    for (code, status) in &listed {
        assert!(
            matches!(status.parse::<u16>(), Ok(400..=599)),
            "{code}: status {status:?}"
        );
    }
    // The statuses the problem mapping gives (spot checks of each kind).
    assert_eq!(listed["fee_exceeds_paid"], "422");
    assert_eq!(listed["version_mismatch"], "412");
    assert_eq!(listed["payout_already_released"], "409");
    assert_eq!(listed["storage_unavailable"], "503");
}
