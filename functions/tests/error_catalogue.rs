//! `docs/errors.md` lists every code a client can see: the core's refusals, the refusals of the
//! HTTP layer and storno-local's edge (`Refusal`) and the use cases' errors. A code added in the
//! source without a line in the catalogue fails here, as does a problem made outside the two
//! mappings (each code is defined once).

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

    // The HTTP layer's and storno-local's edge's refusals: the arms of Refusal::code.
    let refusals = read(&Path::new(ROOT).join("functions/src/http/refusal.rs"));
    let start = refusals.find("pub fn code(&self)").expect("Refusal::code");
    let end = start + refusals[start..].find("\n    }\n").expect("its end");
    for code in refusals[start..end].split("=> \"").skip(1) {
        found.push(code[..code.find('"').unwrap()].to_owned());
    }
    // The use cases' errors, mapped in problem.rs; no other file makes a problem.
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("functions/src"), &mut files);
    rust_files(&Path::new(ROOT).join("functions/local/src"), &mut files);
    for file in &files {
        let source = read(file);
        let makes = codes_after(&source, "Problem::new(");
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(
            makes.is_empty() || name == "problem.rs",
            "{} makes problems itself ({makes:?}): add a Refusal instead",
            file.display()
        );
        found.extend(makes);
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
