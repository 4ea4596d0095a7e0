//! The OpenAPI components are generated from the wire types: `docs/openapi.json` must hold
//! exactly what the types say. After changing a type, regenerate with
//! `STORNO_UPDATE_OPENAPI=1 cargo test --workspace --test openapi_components` and review the
//! diff of the contract.

use std::path::PathBuf;

use serde_json::Value;

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[test]
fn the_components_are_the_ones_the_types_generate() {
    let path = spec_path();
    let mut spec: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let generated = Value::Object(storno_functions::http::schema::components());
    if std::env::var_os("STORNO_UPDATE_OPENAPI").is_some() {
        spec["components"]["schemas"] = generated;
        let text = serde_json::to_string_pretty(&spec).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
        return;
    }
    let stored = &spec["components"]["schemas"];
    let names = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(names(stored), names(&generated), "component names");
    for name in names(&generated) {
        assert_eq!(
            stored[&name], generated[&name],
            "component {name} differs from its type: regenerate with STORNO_UPDATE_OPENAPI=1"
        );
    }
}

/// Every `$ref` in the document points at a component that exists.
#[test]
fn every_reference_resolves() {
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(spec_path()).unwrap()).unwrap();
    let mut refs = Vec::new();
    fn walk(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key == "$ref" {
                        refs.push(inner.as_str().unwrap().to_owned());
                    } else {
                        walk(inner, refs);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, refs)),
            _ => {}
        }
    }
    walk(&spec, &mut refs);
    assert!(refs.len() > 50);
    for reference in refs {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference}"));
        assert!(
            spec["components"]["schemas"].get(name).is_some(),
            "{reference} does not resolve"
        );
    }
}
