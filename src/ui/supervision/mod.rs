//! 纪律与提示单, 投诉, 违规与问责: the supervision office's own records. One area with three panels that
//! share one load (the week's observations and slips, the complaint and violation registers).

pub mod complaints;
pub mod discipline;
pub mod jobs;
pub mod logic;
pub mod state;
pub mod violations;

pub use jobs::{SupervisionAction, SupervisionJob, SupervisionReply};
pub use logic::{SupervisionArea, SupervisionCommand};
pub use state::{SupervisionData, SupervisionForm};
