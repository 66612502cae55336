//! The costs on the authentication path: Argon2id hashing and verification (deliberately
//! slow), the password policy (zxcvbn), one-time code checks and token digests (cheap).
//! Run: `cargo bench -p svitok-core --bench credentials`; figures in bench/README.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use svitok_core::ids::ChallengeId;
use svitok_core::secrets::MasterKey;
use svitok_core::{otp, password, token};

fn credentials(c: &mut Criterion) {
    let pw = "зелёный трамвай едет в 7 утра";
    let phc = password::hash(pw).unwrap();
    let mut g = c.benchmark_group("password");
    g.sample_size(20);
    g.bench_function("argon2id_hash", |b| b.iter(|| password::hash(black_box(pw)).unwrap()));
    g.bench_function("argon2id_verify", |b| b.iter(|| password::verify(black_box(pw), &phc)));
    g.bench_function("policy_zxcvbn", |b| {
        b.iter(|| password::check_policy(black_box(pw), &["ivanov", "ivanov@example.ru"]))
    });
    g.finish();

    let key = MasterKey::generate().derive("bench");
    let id = ChallengeId::new();
    let stored = otp::code_hash(&key, id, "123456");
    c.bench_function("otp_code_check", |b| {
        b.iter(|| otp::code_matches(&key, id, black_box("123456"), &stored))
    });
    let t = token::generate("svs_");
    c.bench_function("token_digest", |b| b.iter(|| token::digest(black_box(&t))));
}

criterion_group!(benches, credentials);
criterion_main!(benches);
