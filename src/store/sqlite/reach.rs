//! What an account of some halls reaches beyond the rows that carry a hall themselves (issue 32): the
//! cameras and departments of its halls, and the hall of a record found through them. Lists of
//! records that name a camera, a staff member or a department are kept to these; a write on such a
//! record asks for its hall and is refused through `Write::keep_to` when it lies outside.
//!
//! A department is its hall's, and reaches also every hall it has a window in (a branch hall's window
//! of the city's department).

use std::collections::HashSet;

use crate::domain::access::Scope;
use crate::store::StoreError;
use crate::store::sql::{Connection, OptionalExtension as _};

/// The cameras and departments within a scope. For the whole city everything is within, and nothing
/// is read.
pub(crate) struct Reach {
    scope: Scope,
    cameras: HashSet<i64>,
    departments: HashSet<i64>,
}

impl Reach {
    pub fn of(conn: &Connection, scope: &Scope) -> Result<Reach, StoreError> {
        let mut reach = Reach { scope: scope.clone(), cameras: HashSet::new(), departments: HashSet::new() };
        if scope.is_city() {
            return Ok(reach);
        }
        reach.cameras = conn
            .prepare_cached(&format!("SELECT id FROM camera WHERE 1 = 1{}", scope.sql("hall_code")))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        reach.departments = conn
            .prepare_cached(&format!(
                "SELECT id FROM department WHERE 1 = 1{}
                 UNION SELECT department_id FROM service_window WHERE department_id IS NOT NULL{}",
                scope.sql("hall_code"),
                scope.sql("hall_code")
            ))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(reach)
    }

    pub fn camera(&self, id: i64) -> bool {
        self.scope.is_city() || self.cameras.contains(&id)
    }

    pub fn department(&self, id: i64) -> bool {
        self.scope.is_city() || self.departments.contains(&id)
    }
}

/// The hall of camera `id` (`None` when there is no such camera).
pub(crate) fn camera_hall(conn: &Connection, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn.prepare_cached("SELECT hall_code FROM camera WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?)
}
