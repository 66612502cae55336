//! What the unit tests of signatures and time-stamps share: a signer under a CA.

use crate::{Authority, Certificate, Holder, P256Key};
use std::time::{Duration, SystemTime};

/// A key and a day-long signing certificate for it from `ca`.
pub fn signer(ca: &Authority, now: SystemTime) -> (P256Key, Certificate) {
    let key = P256Key::generate();
    let holder = Holder {
        full_name: "Иванова Мария",
        email: "maria@example.org",
        organisation: "Svitok",
    };
    let cert = ca.issue(&holder, &key, now, Duration::from_secs(86_400)).unwrap();
    (key, cert)
}
