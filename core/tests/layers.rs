//! The core's modules form layers: each foundation module imports only modules of lower
//! layers, so a change to the order aggregate or a command can never ripple into money, ids or
//! documents. (Before, 24 of 28 modules formed one import circle because `error` and `ids`
//! imported upward.) The order aggregate and the commands above it may import any of these.

use std::collections::BTreeSet;

/// Lowest first; a module may import modules of earlier layers only.
const LAYERS: &[&[&str]] = &[
    &["error"],
    &["ids", "money", "time_zone"],
    &["rate", "actor", "party_values", "numbering"],
    &["party"],
    &["german", "issuer"],
    &["line", "terms", "followup"],
    &["vat", "booking"],
    &["document"],
];

/// The crate modules `name` imports outside its tests.
fn imports(name: &str) -> BTreeSet<String> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let path = format!("{dir}/src/{name}.rs");
    let source = std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(format!("{dir}/src/{name}/mod.rs")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
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
