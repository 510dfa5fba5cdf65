//! The demo's recorded footage and the simulated cameras that stand in for the window cameras.

use super::*;
use crate::store::prelude::*;

/// The footage the demo records: (window, local date, from, to) of what a supervisor will look up —
/// the B07 complaint on the last working Tuesday, the two evaluator bursts at A05 yesterday, the
/// queue at the entry-exit windows three weeks ago.
pub fn footage_plan(now: DateTime<Utc>, calendar: &Calendar) -> Vec<(&'static str, NaiveDate, NaiveTime, NaiveTime)> {
    let today = time::local_date(now);
    let mut tuesday = today - Duration::days(1);
    for _ in 0..21 {
        if tuesday.weekday() == Weekday::Tue && calendar.is_working_day(tuesday) {
            break;
        }
        tuesday -= Duration::days(1);
    }
    let burst_day = calendar.previous_working_day(today).map_or(today, |r| r.value);
    let mut queue_day = today - Duration::days(20);
    while !calendar.is_working_day(queue_day) {
        queue_day -= Duration::days(1);
    }
    let hm = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
    vec![
        ("B07", tuesday, hm(10, 30), hm(10, 50)),
        ("A05", burst_day, hm(10, 5), hm(10, 20)),
        ("A05", burst_day, hm(15, 35), hm(15, 50)),
        ("A04", queue_day, hm(14, 0), hm(14, 15)),
    ]
}

/// Records the demo's footage (640×360, 10 fps test pattern with the window and the time burned in)
/// into `dir/footage`, indexed in the demo database, as fast as the machine allows. Returns the
/// number of segments.
pub fn record_footage(dir: &Path, clock: Arc<dyn Clock>, rules: &RuleBook) -> Result<usize, DemoError> {
    let store = SqlStore::open_existing_dir(dir, clock.clone())?;
    let system = store.system_session();
    let directory = store.directory(&system)?;
    let root = crate::video::recorder::footage_root(dir);
    // The complained-about case's events at B07 that day are covered too, ten minutes either side, so
    // "查看录像" on any of them finds footage.
    let mut plan = footage_plan(clock.now(), &rules.calendar);
    let b07_events: Vec<NaiveDateTime> = store
        .complaints(&system)?
        .iter()
        .filter(|c| c.window_code.as_deref() == Some("B07"))
        .filter_map(|c| c.case_no.as_deref())
        .filter_map(|no| store.case_detail(&system, no).ok())
        .flat_map(|d| d.events)
        .filter(|e| e.window.as_deref() == Some("B07"))
        .map(|e| time::local_datetime(e.occurred_at))
        .collect();
    for entry in plan.iter_mut().filter(|p| p.0 == "B07") {
        for at in b07_events.iter().filter(|at| at.date() == entry.1) {
            let (from, to) = (at.time() - Duration::minutes(10), at.time() + Duration::minutes(10));
            if from < entry.2 && from > entry.2 - Duration::hours(1) {
                entry.2 = from.with_second(0).unwrap_or(from);
            }
            if to > entry.3 && to < entry.3 + Duration::hours(1) {
                entry.3 = (to + Duration::seconds(59)).with_second(0).unwrap_or(to);
            }
        }
    }
    let mut count = 0;
    for (window, date, from, to) in plan {
        let Some(camera) = directory.cameras.iter().find(|c| c.window_code.as_deref() == Some(window)) else {
            continue;
        };
        let start = time::from_local(date.and_time(from));
        let length = (to - from).to_std().unwrap_or_default();
        let segments = crate::video::recorder::record_synthetic(
            &store,
            &system,
            &root,
            camera.id,
            &camera.name,
            start,
            length,
            (640, 360, 10),
            rules.footage.segment_seconds,
        )
        .map_err(|e| DemoError::Footage(e.to_string()))?;
        count += segments.len();
    }
    Ok(count)
}

/// The simulated cameras of a data directory: camera K of `/cam/K` with its name, from the database
/// when there is one.
pub fn sim_cameras(data_dir: &Path, count: Option<u32>) -> Vec<crate::video::sim::SimCamera> {
    use crate::video::sim::SimCamera;
    let from_db: Vec<SimCamera> = SqlStore::open_existing_dir(data_dir, Arc::new(crate::clock::SystemClock))
        .ok()
        .and_then(|store| store.directory(&store.system_session()).ok())
        .map(|dir| {
            dir.cameras
                .iter()
                .filter_map(|c| {
                    let index = c.main_url.rsplit("/cam/").next()?.parse::<u32>().ok()?;
                    Some(SimCamera { index, label: c.name.clone() })
                })
                .collect()
        })
        .unwrap_or_default();
    let n = count.unwrap_or(if from_db.is_empty() { 9 } else { u32::try_from(from_db.len()).unwrap_or(u32::MAX) });
    (1..=n)
        .map(|index| {
            from_db
                .iter()
                .find(|c| c.index == index)
                .cloned()
                .unwrap_or(SimCamera { index, label: format!("摄像头 {index}") })
        })
        .collect()
}
