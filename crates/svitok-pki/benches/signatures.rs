//! The costs of electronic signature: making a detached CMS signature from a digest,
//! verifying one, issuing a certificate, signing a CRL, and SHA-256 over the content
//! (which dominates signing a large version).
//! Run: `cargo bench -p svitok-pki --bench signatures`; figures in bench/README.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};
use svitok_pki::{sign_detached, verify_detached, Authority, Holder, P256Key};

fn signatures(c: &mut Criterion) {
    let now = SystemTime::now();
    let ca = Authority::create("Svitok", now).unwrap();
    let key = P256Key::generate();
    let holder = Holder {
        full_name: "Иванова Мария Петровна",
        email: "maria@example.org",
        organisation: "Svitok",
    };
    let cert = ca.issue(&holder, &key, now, Duration::from_secs(86_400 * 365)).unwrap();
    let digest: [u8; 32] = Sha256::digest(b"content").into();
    let sig = sign_detached(&key, &cert, ca.certificate(), &digest, now).unwrap();

    c.bench_function("cms_sign_detached", |b| {
        b.iter(|| sign_detached(&key, &cert, ca.certificate(), black_box(&digest), now).unwrap())
    });
    c.bench_function("cms_verify_detached", |b| {
        b.iter(|| verify_detached(black_box(&sig), &digest, ca.certificate(), &[], None).unwrap())
    });
    c.bench_function("issue_user_certificate", |b| {
        b.iter(|| {
            let k = P256Key::generate();
            ca.issue(&holder, &k, now, Duration::from_secs(86_400 * 365)).unwrap()
        })
    });
    let revoked: Vec<_> = (0..1000)
        .map(|_| (svitok_pki::authority::random_serial(), now))
        .collect();
    c.bench_function("crl_1000_revoked", |b| {
        b.iter(|| ca.crl(black_box(&revoked), now).unwrap())
    });

    let block = vec![0x5au8; 64 << 20];
    let mut g = c.benchmark_group("content_digest");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(block.len() as u64));
    g.bench_function("sha256_64MiB", |b| b.iter(|| Sha256::digest(black_box(&block))));
    g.finish();
}

criterion_group!(benches, signatures);
criterion_main!(benches);
