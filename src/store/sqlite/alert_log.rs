//! The alerts changed lately, kept in the store's memory for the consoles that follow the hall
//! (`alerts_changed`). Two hundred consoles each asking "what changed since my revision" would make the
//! database join every changed alert two hundred times; with the log it reads each change once, and
//! a console's question costs its session check and the alerts' revision.
//!
//! What the log holds: for every alert whose revision is in `(floor, revision]`, its row as it stands at
//! that revision (an alert changed again replaces its earlier row). A question from `since >= floor` is
//! then answered with the rows after `since`, complete up to the log's revision. The log is brought up
//! to a reader's snapshot with the rows changed after its own revision, before it answers; readers with
//! an older snapshot (PostgreSQL, several at once) may be answered with the newer, committed state, and
//! are told its revision. A database restored under a running server is not followed: restart the
//! servers after restoring (as the consoles' revisions say `reload` then anyway).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use crate::store::{AlertChanges, AlertRow};

/// The most changed alerts the log keeps (about 2 MB); the oldest leave first.
pub(super) const KEPT: usize = 5_000;

#[derive(Default)]
pub(super) struct AlertLog(Mutex<Option<State>>);

struct State {
    /// Changes at or before this revision are not in the log.
    floor: i64,
    /// The log is complete up to this revision.
    revision: i64,
    by_rev: BTreeMap<i64, AlertRow>,
    /// Each alert's revision in `by_rev`.
    rev_of: HashMap<i64, i64>,
}

impl State {
    fn starting_at(revision: i64) -> State {
        State { floor: revision, revision, by_rev: BTreeMap::new(), rev_of: HashMap::new() }
    }
}

impl AlertLog {
    fn state(&self) -> std::sync::MutexGuard<'_, Option<State>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The revision to read changes after, when the log is behind `revision` (it starts empty at the
    /// first revision it sees).
    pub fn behind(&self, revision: i64) -> Option<i64> {
        let mut state = self.state();
        let log = state.get_or_insert_with(|| State::starting_at(revision));
        (log.revision < revision).then_some(log.revision)
    }

    /// Takes the alerts changed in `(from, to]`, each with its revision. Several readers may bring the
    /// log up at once: an alert keeps its newest row, and the log's revision the furthest read.
    pub fn take(&self, from: i64, to: i64, rows: Vec<(i64, AlertRow)>) {
        let mut state = self.state();
        let Some(log) = state.as_mut() else { return };
        if from > log.revision || to <= log.floor {
            // Read from a revision the log has not reached (restarted meanwhile), or all forgotten.
            return;
        }
        for (rev, row) in rows {
            match log.rev_of.get(&row.id) {
                Some(&held) if held >= rev => continue,
                Some(&held) => {
                    log.by_rev.remove(&held);
                }
                None => {}
            }
            log.rev_of.insert(row.id, rev);
            log.by_rev.insert(rev, row);
        }
        log.revision = log.revision.max(to);
        while log.by_rev.len() > KEPT {
            let Some((rev, row)) = log.by_rev.pop_first() else { break };
            log.rev_of.remove(&row.id);
            log.floor = rev;
        }
    }

    /// Starts again at `revision`: more changed at once than the log keeps.
    pub fn restart(&self, revision: i64) {
        *self.state() = Some(State::starting_at(revision));
    }

    /// The answer to "changed since `since`" for a reader at `revision`, when the log covers it; more
    /// than `limit` changes say `reload`.
    pub fn answer(&self, since: i64, revision: i64, limit: u32) -> Option<AlertChanges> {
        let state = self.state();
        let log = state.as_ref()?;
        if since < log.floor || revision < log.floor || log.revision < revision {
            return None;
        }
        let changed = log.by_rev.range(since + 1..);
        if changed.clone().nth(limit as usize).is_some() {
            return Some(AlertChanges { revision: log.revision, rows: Vec::new(), reload: true });
        }
        Some(AlertChanges {
            revision: log.revision,
            rows: changed.map(|(_, row)| row.clone()).collect(),
            reload: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::{Level, Rule};
    use crate::store::AlertState;
    use chrono::{TimeZone as _, Utc};

    fn row(id: i64, level: Level) -> AlertRow {
        AlertRow {
            id,
            case_no: format!("C{id}"),
            rule: Rule::Overdue,
            key: String::new(),
            level,
            since: Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap(),
            resolved_at: None,
            state: AlertState::Open,
            explanation: String::new(),
            closed_at: None,
            closed_by: None,
            close_reason: None,
            hall: None,
            department: "民政局".into(),
            window: None,
            staff_no: None,
            staff_name: None,
            applicant: None,
            item_code: "I1".into(),
            item_name: "事项".into(),
            notice_no: None,
        }
    }

    fn ids(answer: &AlertChanges) -> Vec<i64> {
        answer.rows.iter().map(|r| r.id).collect()
    }

    #[test]
    fn answers_only_from_where_it_started() {
        let log = AlertLog::default();
        assert_eq!(log.behind(10), None, "a new log starts at the revision it first sees");
        assert!(log.answer(9, 10, 100).is_none(), "before its start the database answers");
        let nothing = log.answer(10, 10, 100).unwrap();
        assert_eq!((nothing.revision, nothing.rows.len(), nothing.reload), (10, 0, false));
        assert!(log.answer(10, 11, 100).is_none(), "a reader further on than the log");
    }

    #[test]
    fn an_alert_changed_again_is_given_once_in_its_newest_state() {
        let log = AlertLog::default();
        log.behind(10);
        assert_eq!(log.behind(13), Some(10));
        log.take(10, 13, vec![(11, row(1, Level::Yellow)), (12, row(2, Level::Yellow)), (13, row(3, Level::Red))]);
        assert_eq!(log.behind(15), Some(13));
        log.take(13, 15, vec![(15, row(1, Level::Red))]);
        let all = log.answer(10, 15, 100).unwrap();
        assert_eq!((ids(&all), all.revision), (vec![2, 3, 1], 15));
        assert_eq!(all.rows[2].level, Level::Red);
        assert_eq!(ids(&log.answer(12, 15, 100).unwrap()), vec![3, 1]);
        assert_eq!(ids(&log.answer(15, 15, 100).unwrap()), Vec::<i64>::new());
        // A reader whose snapshot is older is answered with the newer state, and told its revision.
        assert_eq!(log.answer(12, 13, 100).unwrap().revision, 15);
        // An older reader bringing up what the log already has changes nothing.
        log.take(10, 13, vec![(11, row(1, Level::Yellow))]);
        assert_eq!(ids(&log.answer(10, 15, 100).unwrap()), vec![2, 3, 1]);
        // Over the limit: reload.
        let over = log.answer(10, 15, 2).unwrap();
        assert!(over.reload && over.rows.is_empty());
        assert!(!log.answer(10, 15, 3).unwrap().reload);
    }

    #[test]
    fn the_oldest_changes_leave_and_the_floor_rises() {
        let log = AlertLog::default();
        log.behind(0);
        let rows: Vec<(i64, AlertRow)> = (1..=KEPT as i64 + 2).map(|i| (i, row(i, Level::Yellow))).collect();
        log.take(0, KEPT as i64 + 2, rows);
        assert!(log.answer(1, KEPT as i64 + 2, 10).is_none(), "revisions 1 and 2 are forgotten");
        let from_floor = log.answer(2, KEPT as i64 + 2, u32::MAX).unwrap();
        assert_eq!(from_floor.rows.len(), KEPT);
        log.restart(50_000);
        assert!(log.answer(2, 50_000, 10).is_none());
        assert_eq!(log.answer(50_000, 50_000, 10).unwrap().rows.len(), 0);
        // Rows read from a revision the log has not reached would leave a gap: not taken.
        log.take(50_005, 50_010, vec![(50_010, row(9, Level::Red))]);
        assert!(log.answer(50_000, 50_010, 10).is_none());
        log.take(40_000, 50_001, vec![(50_001, row(9, Level::Red))]);
        assert_eq!(ids(&log.answer(50_000, 50_001, 10).unwrap()), vec![9]);
    }
}
