//! Faults an operator meets (SPEC §13, issue 15): answered clearly, losing nothing.

use crate::both_backends;
use crate::helpers::{files_under, spawn_app_with, Backend};

both_backends!(a_full_disk_is_a_507_keeps_nothing_and_the_next_request_is_served);

/// A small tmpfs mounted for the test's blob store, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    /// `None` (a loud skip; a failure in CI) where this process may not mount.
    fn mount(mib: u32) -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("svitok-small-disk-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m,mode=0700"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        let found = ok.then(|| dir.clone());
        crate::helpers::peer_binary(
            found,
            "the full-disk test",
            "run the tests as root (it mounts a small tmpfs)",
        )
        .map(SmallDisk)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn a_full_disk_is_a_507_keeps_nothing_and_the_next_request_is_served(b: Backend) {
    let Some(disk) = SmallDisk::mount(2) else { return };
    let blobs = disk.0.join("blobs");
    let url = format!("file://{}", blobs.display());
    let app = spawn_app_with(b, move |c| c.blob_url = Some(url)).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    // Three MiB onto a disk of two.
    let big: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let r = app.upload_to("/api/v1/documents", &token, "Большой.bin", big).await;
    r.problem(507);
    assert_eq!(r.body["code"], "insufficient_storage");
    assert!(r.body["detail"].as_str().unwrap().contains("нет места"), "{}", r.body);
    let list = app.get("/api/v1/documents", &token).await.ok(200).clone();
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "no document: {list}");
    // The partial file is gone, so the disk has room again.
    for _ in 0..250 {
        if files_under(&blobs).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(files_under(&blobs).is_empty(), "left: {:?}", files_under(&blobs));
    let r = app
        .upload_to("/api/v1/documents", &token, "Записка.txt", b"small enough".to_vec())
        .await;
    r.ok(201);
    drop(app);
    drop(disk);
}
