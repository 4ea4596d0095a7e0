//! Rendering a 3-attendee invoice and a 1,000-attendee invoice as CII, UBL and PDF/A-3 (the
//! PDF embeds its CII). Nothing asserted: compare the figures of one run.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use storno_render::{cii, pdf, ubl};

#[path = "../tests/corpus/mod.rs"]
mod corpus;

fn render(c: &mut Criterion) {
    let three = corpus::converia().documents[0].clone();
    let thousand = corpus::thousand().documents[0].clone();
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    for (attendees, document) in [(3u64, &three), (1_000, &thousand)] {
        group.throughput(Throughput::Elements(attendees));
        group.bench_with_input(BenchmarkId::new("cii", attendees), document, |b, d| {
            b.iter(|| black_box(cii(d)))
        });
        group.bench_with_input(BenchmarkId::new("ubl", attendees), document, |b, d| {
            b.iter(|| black_box(ubl(d)))
        });
        group.bench_with_input(BenchmarkId::new("pdf", attendees), document, |b, d| {
            b.iter(|| black_box(pdf(d).expect("renders")))
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
