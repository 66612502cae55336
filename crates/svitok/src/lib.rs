//! The `svitok` binary's library half: configuration, wiring and start-up, so tests can
//! start the real application in-process on a free port.

pub mod app;
pub mod config;
pub mod keyfile;
pub mod verify;
