//! The core's modules form layers: each foundation module imports only modules of lower
//! layers, so a change to the order aggregate or a command can never ripple into money, ids or
//! documents. (Before, 24 of 28 modules formed one import circle because `error` and `ids`
//! imported upward.) The order aggregate and the commands above it may import any of these.

use std::collections::BTreeSet;

/// Lowest first; a module may import modules of earlier layers only.
const LAYERS: &[&[&str]] = &[
    &["error"],
    &["ids", "money", "time_zone"],
    &["rate", "actor", "party", "numbering"],
    &["german", "issuer"],
    &["line", "terms", "followup"],
    &["vat"],
    &["document"],
];

/// The crate modules `name` imports outside its tests.
fn imports(name: &str) -> BTreeSet<String> {
    let path = format!("{}/src/{name}.rs", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = BTreeSet::new();
    for prefix in ["crate::", "super::"] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !module.is_empty() && module != name {
                found.insert(module);
            }
        }
    }
    found
}

#[test]
fn foundation_modules_import_only_lower_layers() {
    let mut below: BTreeSet<String> = BTreeSet::new();
    let mut upward = Vec::new();
    for layer in LAYERS {
        for module in *layer {
            for import in imports(module) {
                if !below.contains(&import) {
                    upward.push(format!("{module} imports {import}"));
                }
            }
        }
        below.extend(layer.iter().map(|m| (*m).to_owned()));
    }
    assert!(upward.is_empty(), "imports against the layers: {upward:#?}");
}
