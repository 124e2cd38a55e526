//! Where a new student of a class sits: the table and the role, from how the tables stand. Pure:
//! the randomness comes in as a function, so that the rules read (and test) as rules.
//!
//! - With a number of tables set: before the game starts, students spread evenly (the table with
//!   the fewest students, then its role with the fewest), so that friends who join one after
//!   another end up wherever chance puts them, not at one table by their order.
//! - Without: every table's empty roles fill first (any of them, by chance), then teams grow up
//!   to the seats per role, then a new table opens.
//! - Once the game runs, a late student goes where a role is empty, then to a team below the
//!   seats per role; a class with neither is full.

use crate::engine::RoleId;

/// How one table stands, for placing students.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// Students per role.
    pub humans: Vec<usize>,
    /// Roles a bot plays.
    pub bots: Vec<bool>,
    /// The game at this table is over: nobody joins it.
    pub finished: bool,
}

/// The class's settings that placing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub roles: usize,
    pub seats_per_role: usize,
    /// The number of tables, when the instructor set it.
    pub tables: Option<usize>,
    /// The class has started its game.
    pub started: bool,
}

/// Where a student goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Table { index: usize, role: RoleId },
    NewTable { role: RoleId },
}

/// Places one student. `pick(n)` is a random index below `n` (n ≥ 1). `None`: the class is full.
pub fn place(tables: &[TableCount], rules: Rules, pick: &mut dyn FnMut(usize) -> usize) -> Option<Placement> {
    // Every (table, role) a student could take, with how many students it already has.
    let slots: Vec<(usize, RoleId, usize)> = tables
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.finished)
        .flat_map(|(i, t)| {
            (0..rules.roles).map(RoleId::new).filter(move |r| !t.bots[*r]).map(move |r| (i, r, t.humans[r.index()]))
        })
        .collect();
    let choose = |candidates: Vec<(usize, RoleId)>, pick: &mut dyn FnMut(usize) -> usize| {
        (!candidates.is_empty()).then(|| {
            let (index, role) = candidates[pick(candidates.len())];
            Placement::Table { index, role }
        })
    };
    let empty: Vec<(usize, RoleId)> = slots.iter().filter(|s| s.2 == 0).map(|s| (s.0, s.1)).collect();
    if rules.tables.is_some() && !rules.started {
        // Spread evenly: the tables with the fewest students, then their roles with the fewest.
        let total = |i: usize| tables[i].humans.iter().sum::<usize>();
        let fewest = slots.iter().map(|s| total(s.0)).min()?;
        let at: Vec<&(usize, RoleId, usize)> = slots.iter().filter(|s| total(s.0) == fewest).collect();
        let least = at.iter().map(|s| s.2).min()?;
        return choose(at.iter().filter(|s| s.2 == least).map(|s| (s.0, s.1)).collect(), pick);
    }
    if let Some(placed) = choose(empty, pick) {
        return Some(placed);
    }
    let team: Vec<&(usize, RoleId, usize)> = slots.iter().filter(|s| s.2 < rules.seats_per_role).collect();
    if let Some(least) = team.iter().map(|s| s.2).min() {
        return choose(team.iter().filter(|s| s.2 == least).map(|s| (s.0, s.1)).collect(), pick);
    }
    (!rules.started && rules.tables.is_none() && rules.roles > 0)
        .then(|| Placement::NewTable { role: RoleId::new(pick(rules.roles)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(humans: &[usize]) -> TableCount {
        TableCount { humans: humans.to_vec(), bots: vec![false; humans.len()], finished: false }
    }

    /// Seats `n` students one by one, with a deterministic "random" pick.
    fn seat_all(n: usize, rules: Rules, mut tables: Vec<TableCount>) -> Vec<TableCount> {
        let mut state = 7_u64;
        let mut pick = |len: usize| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % len
        };
        for _ in 0..n {
            match place(&tables, rules, &mut pick).expect("a seat") {
                Placement::Table { index, role } => tables[index].humans[role.index()] += 1,
                Placement::NewTable { role } => {
                    let mut t = table(&vec![0; rules.roles]);
                    t.humans[role.index()] = 1;
                    tables.push(t);
                }
            }
        }
        tables
    }

    #[test]
    fn thirty_students_over_eight_tables_are_spread_evenly() {
        let rules = Rules { roles: 4, seats_per_role: 1, tables: Some(8), started: false };
        let tables = seat_all(30, rules, vec![table(&[0; 4]); 8]);
        let totals: Vec<usize> = tables.iter().map(|t| t.humans.iter().sum()).collect();
        assert_eq!(totals.iter().sum::<usize>(), 30);
        assert!(totals.iter().all(|n| *n == 3 || *n == 4), "{totals:?}");
        assert!(tables.iter().all(|t| t.humans.iter().all(|h| *h <= 1)), "nobody doubles up a role while one is empty");
    }

    #[test]
    fn without_a_table_count_roles_fill_then_teams_then_a_new_table() {
        let rules = Rules { roles: 4, seats_per_role: 2, tables: None, started: false };
        let tables = seat_all(4, rules, Vec::new());
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].humans, vec![1, 1, 1, 1], "the empty roles first");
        let tables = seat_all(8, rules, Vec::new());
        assert_eq!((tables.len(), &tables[0].humans), (1, &vec![2, 2, 2, 2]), "then teams up to two");
        let tables = seat_all(9, rules, Vec::new());
        assert_eq!(tables.len(), 2, "then a new table");
    }

    #[test]
    fn once_started_late_students_go_where_a_role_is_empty_and_a_full_class_says_so() {
        let rules = Rules { roles: 3, seats_per_role: 1, tables: Some(2), started: true };
        let mut bots = table(&[1, 0, 0]);
        bots.bots = vec![false, true, false];
        let tables = vec![table(&[1, 1, 1]), bots];
        let mut first = |_: usize| 0;
        assert_eq!(
            place(&tables, rules, &mut first),
            Some(Placement::Table { index: 1, role: RoleId::new(2) }),
            "not the bot's role"
        );
        let full = vec![table(&[1, 1, 1]), table(&[1, 1, 1])];
        assert_eq!(place(&full, rules, &mut first), None);
        let mut over = table(&[0, 0, 0]);
        over.finished = true;
        assert_eq!(place(&[over], rules, &mut first), None, "a finished table takes nobody");
    }
}
