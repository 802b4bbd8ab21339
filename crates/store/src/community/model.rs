//! The communities' data: accounts, roles, areas, communities, memberships,
//! meetings, resources, threads, consultations, and the kinds of CSV file.

use super::*;

row! {
    /// A person with an account.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Account {
        /// Id.
        pub id: i64,
        /// Email, lower-case.
        pub email: String,
        /// Display name.
        pub name: String,
        /// A platform admin.
        pub is_admin: bool,
        /// Whether a password is set.
        pub has_password: bool,
        /// When created (RFC 3339).
        pub created_at: String,
    }
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose.
    pub account: Account,
    /// The form token bound to the session.
    pub csrf: String,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// The scoped roles of an account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grants {
    /// iPA codes it edits for.
    pub editor_of: Vec<String>,
    /// Community ids it coordinates.
    pub coordinator_of: Vec<i64>,
}

row! {
    /// A thematic area.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Area {
        /// Id.
        pub id: i64,
        /// URL name.
        pub slug: String,
        /// Name.
        pub name: String,
        /// Description.
        pub description: String,
    }
}

row! {
    /// A community of practice.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Community {
        /// Id.
        pub id: i64,
        /// URL name.
        pub slug: String,
        /// Its area's id.
        pub area_id: i64,
        /// Its area's slug.
        pub area_slug: String,
        /// Name.
        pub name: String,
        /// Description.
        pub description: String,
        /// When created.
        pub created_at: String,
    }
}

row! {
    /// A person's registration in a community on behalf of an administration.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Membership {
        /// Id.
        pub id: i64,
        /// The community.
        pub community_id: i64,
        /// The person.
        pub account_id: i64,
        /// The person's name.
        pub name: String,
        /// The administration represented.
        pub codice_ipa: String,
        /// Nominated by the administration as its referent in the community.
        pub referent: bool,
        /// The editor who confirmed it, if any.
        pub confirmed_by: Option<String>,
        /// When registered.
        pub created_at: String,
    }
}

/// How a meeting is held.
pub const MEETING_MODES: [&str; 3] = ["online", "in_person", "hybrid"];
/// A meeting's statuses.
pub const MEETING_STATUSES: [&str; 3] = ["planned", "held", "cancelled"];
/// Kinds of shared resources.
pub const RESOURCE_KINDS: [&str; 4] = ["procedure", "template", "tool", "method"];
/// A consultation's statuses.
pub const CONSULTATION_STATUSES: [&str; 3] = ["draft", "open", "closed"];
/// A proposal's statuses.
pub const PROPOSAL_STATUSES: [&str; 3] = ["submitted", "accepted", "rejected"];

/// A new meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingInput {
    /// Title.
    pub title: String,
    /// Start, `YYYY-MM-DDTHH:MM` (local time).
    pub starts_at: String,
    /// One of [`MEETING_MODES`].
    pub mode: String,
    /// Video-call link (online and hybrid).
    pub link: Option<String>,
    /// Place (in person and hybrid).
    pub place: Option<String>,
    /// Agenda.
    pub agenda: String,
}

row! {
    /// A meeting.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Meeting {
        /// Id.
        pub id: i64,
        /// The community.
        pub community_id: i64,
        /// Title.
        pub title: String,
        /// Start.
        pub starts_at: String,
        /// Mode.
        pub mode: String,
        /// Link.
        pub link: Option<String>,
        /// Place.
        pub place: Option<String>,
        /// Agenda.
        pub agenda: String,
        /// Minutes, once held.
        pub minutes: Option<String>,
        /// Status.
        pub status: String,
        /// Who created it.
        pub author: String,
        /// Registrations.
        pub registrations: i64,
        /// Attendees.
        pub attended: i64,
    }
}

row! {
    /// A registration to a meeting.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Registration {
        /// The person.
        pub account_id: i64,
        /// Name.
        pub name: String,
        /// Attended.
        pub attended: bool,
    }
}

/// A new shared resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceInput {
    /// One of [`RESOURCE_KINDS`].
    pub kind: String,
    /// Title.
    pub title: String,
    /// Link.
    pub url: Option<String>,
    /// The catalog solution it is, for software.
    pub solution_id: Option<i64>,
    /// Description.
    pub description: String,
}

row! {
    /// A shared resource.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Resource {
        /// Id.
        pub id: i64,
        /// The community.
        pub community_id: i64,
        /// Kind.
        pub kind: String,
        /// Title.
        pub title: String,
        /// Link.
        pub url: Option<String>,
        /// Catalog solution.
        pub solution_id: Option<i64>,
        /// Description.
        pub description: String,
        /// Who shared it.
        pub author: String,
        /// When.
        pub created_at: String,
    }
}

row! {
    /// A discussion thread.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Thread {
        /// Id.
        pub id: i64,
        /// The community.
        pub community_id: i64,
        /// Title.
        pub title: String,
        /// Who opened it.
        pub author: String,
        /// When.
        pub created_at: String,
        /// Messages, the opening one included.
        pub posts: i64,
    }
}

row! {
    /// A message of a thread or a comment on a proposal.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Post {
        /// Id.
        pub id: i64,
        /// Text.
        pub body: String,
        /// Author.
        pub author: String,
        /// When.
        pub created_at: String,
    }
}

row! {
    /// A co-design consultation.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Consultation {
        /// Id.
        pub id: i64,
        /// The community.
        pub community_id: i64,
        /// Title.
        pub title: String,
        /// What is asked.
        pub body: String,
        /// Status.
        pub status: String,
        /// Who opened it.
        pub author: String,
        /// When.
        pub created_at: String,
        /// Proposals.
        pub proposals: i64,
    }
}

row! {
    /// A proposal of a consultation.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Proposal {
        /// Id.
        pub id: i64,
        /// The consultation.
        pub consultation_id: i64,
        /// Title.
        pub title: String,
        /// Text.
        pub body: String,
        /// Status.
        pub status: String,
        /// Author.
        pub author: String,
        /// When.
        pub created_at: String,
        /// Supporters.
        pub supports: i64,
        /// Comments.
        pub comments: i64,
    }
}

/// Which kind of community file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// `slug, name, description`.
    Areas,
    /// `slug, area, name, description`.
    Communities,
    /// `community, email, name, codice_ipa, referent`.
    Registrations,
}

impl CsvKind {
    /// The columns (required first).
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            CsvKind::Areas => (&["slug", "name"], &["description"]),
            CsvKind::Communities => (&["slug", "area", "name"], &["description"]),
            CsvKind::Registrations => (&["community", "email", "name", "codice_ipa"], &["referent"]),
        }
    }
}
