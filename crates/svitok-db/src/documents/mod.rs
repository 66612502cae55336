//! Documents, versions, transfers, read marks, readers, search, trash and history: reads
//! on [`Db`], writes on [`Tx`] (the caller's unit of work).

use crate::rows as columns;
use crate::{map_err, Db, Result, Tx};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};
use std::borrow::Cow;
use std::cmp::Reverse;
use svitok_core::documents::{Party, Status};
use svitok_core::ids::{DocumentId, GroupId, TransferId, UserId};
use svitok_core::CoreError;

mod cards;
mod events;
mod inbox;
mod lists;
mod readers;
mod rows;
mod search;
mod transfers;
mod trash;
mod versions;

// Each part sees the others' helpers through these.
use cards::*;
use lists::*;
use readers::*;
use rows::*;
use search::*;
use versions::*;

pub use lists::{DocumentFilter, DocumentSort};
pub use rows::{DocumentRow, Event, EventRow, InboxRow, NewDocument, NewVersion, TransferRow, VersionRow};
// For the other repositories' writes (signature requests move the status, send, and
// write history in their own transactions).
pub(crate) use cards::move_status;
pub(crate) use events::add_event;
pub(crate) use readers::refresh_readers;
pub(crate) use rows::party;
pub(crate) use transfers::insert_transfer;
