//! A forum's record (date, place, agenda, notes, attendance) as GraphQL types.

use async_graphql::{InputObject, SimpleObject, ID};
use chrono::NaiveDate;

use crate::service::forums::{Attendee, Forum};

#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "AttendeeInput")]
pub struct AttendeeGql {
    pub name: String,
    /// What they attended as: `Ketua RT 03`, `Tokoh perempuan`, `Notulis`, `Wakil warga`.
    pub role: String,
    /// Signs the berita acara beside the official (the notulis, the residents' delegates).
    #[graphql(default)]
    pub signs: bool,
}

/// What a forum recorded of itself; printed in its berita acara.
#[derive(SimpleObject)]
pub struct ForumRecord {
    pub cycle_id: ID,
    pub region_id: ID,
    /// The berita acara's number (given, or assigned from `document_number_pattern`).
    pub number: String,
    pub held_on: NaiveDate,
    /// Free text, e.g. `09.00 – 12.30 WIB`.
    pub time: Option<String>,
    pub place: String,
    pub agenda: Vec<String>,
    /// Notes and agreements, one paragraph each.
    pub notes: Vec<String>,
    pub attendance: Vec<AttendeeGql>,
}

#[derive(InputObject)]
pub struct ForumRecordInput {
    pub cycle_id: ID,
    /// The kelurahan/desa, kecamatan or kabupaten/kota whose forum it was.
    pub region_id: ID,
    /// The berita acara's number from the office's register; without one the first save
    /// assigns it from the configured pattern, and later saves keep it.
    pub number: Option<String>,
    pub held_on: NaiveDate,
    pub time: Option<String>,
    pub place: String,
    #[graphql(default)]
    pub agenda: Vec<String>,
    #[graphql(default)]
    pub notes: Vec<String>,
    #[graphql(default)]
    pub attendance: Vec<AttendeeGql>,
}

impl From<Forum> for ForumRecord {
    fn from(f: Forum) -> Self {
        ForumRecord {
            cycle_id: ID(f.cycle_id.to_string()),
            region_id: ID(f.region_id.to_string()),
            number: f.number.unwrap_or_default(),
            held_on: f.held_on,
            time: f.time,
            place: f.place,
            agenda: f.agenda,
            notes: f.notes,
            attendance: f
                .attendance
                .into_iter()
                .map(|a| AttendeeGql {
                    name: a.name,
                    role: a.role,
                    signs: a.signs,
                })
                .collect(),
        }
    }
}

impl ForumRecordInput {
    pub fn into_forum(self) -> async_graphql::Result<Forum> {
        Ok(Forum {
            cycle_id: mufakat_kernel::graphql::parse_id("cycleId", &self.cycle_id)?,
            region_id: mufakat_kernel::graphql::parse_id("regionId", &self.region_id)?,
            number: self.number,
            held_on: self.held_on,
            time: self.time,
            place: self.place,
            agenda: self.agenda,
            notes: self.notes,
            attendance: self
                .attendance
                .into_iter()
                .map(|a| Attendee {
                    name: a.name,
                    role: a.role,
                    signs: a.signs,
                })
                .collect(),
        })
    }
}
