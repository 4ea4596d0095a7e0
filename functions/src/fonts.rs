//! Where the CJK font of the PDFs comes from. It is about 6 MB, so it is not compiled into
//! any binary: the renderer asks for it the first time a document has a Chinese, Japanese or
//! Korean character, and this reads it from the first of these that exists:
//!
//! 1. the file `STORNO_CJK_FONT` names;
//! 2. `/opt/NotoSansCJK-Regular.otf`: the template's fonts layer on Lambda;
//! 3. `fonts/NotoSansCJK-Regular.otf` beside the executable (a packaged storno-local);
//! 4. the repository's copy, for a build run from this checkout (`cargo run`).
//!
//! Without any of them such characters print as `?` and everything else is unchanged.

use std::path::PathBuf;

/// The font's file name, wherever it lives.
pub const CJK_FONT_FILE: &str = "NotoSansCJK-Regular.otf";

fn candidates() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(path) = std::env::var_os("STORNO_CJK_FONT") {
        paths.push(PathBuf::from(path));
    }
    paths.push(PathBuf::from("/opt").join(CJK_FONT_FILE));
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
    {
        paths.push(dir.join("fonts").join(CJK_FONT_FILE));
    }
    paths.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../render/assets/fonts/cjk")
            .join(CJK_FONT_FILE),
    );
    paths
}

/// The CJK font's bytes, from the first place that has them.
pub fn read_cjk_font() -> Option<Vec<u8>> {
    let found = candidates()
        .into_iter()
        .find_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)));
    match &found {
        Some((path, bytes)) => {
            tracing::info!(path = %path.display(), bytes = bytes.len(), "CJK font loaded")
        }
        None => tracing::warn!("no CJK font found: such characters print as '?'"),
    }
    found.map(|(_, bytes)| bytes)
}

/// Lets the renderer load the CJK font when a document first needs it.
pub fn register_cjk_font() {
    storno_render::set_cjk_font_loader(read_cjk_font);
}
