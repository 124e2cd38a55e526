//! Typed indices into a scenario's lists: a [`TrackId`] can only be used where a track is meant,
//! a [`TargetId`] only where a target is, and so on, so that the compiler catches a move's index
//! passed as an event's, or a role's index taken for a target's.
//!
//! Invariant: an id made by the scenario loader, by a scenario's lookups and iterators
//! (`move_index`, `indexed_tracks`, …) or by walking one of its lists points into that list, so
//! indexing with it cannot fail. Orders may carry ids from outside (the fuzzer and the tests make
//! out-of-range ones on purpose), and the code that meets those uses [`Lookup::lookup`], which
//! answers `None`. Ids are serialized as bare numbers, so a state's canonical form (and its hash)
//! is the same as when they were plain `usize`s.
//!
//! Which list each id indexes is said where the list's item is defined (`indexed_by!` in
//! `model`), so that this file depends on nothing of the engine's.

use serde::{Deserialize, Serialize};

/// `slice.get(i)` for a typed id, on the list that id points into: `scenario.moves.lookup(mv)`.
pub trait Lookup<Id> {
    type Item;
    fn lookup(&self, id: Id) -> Option<&Self::Item>;
}

/// A list indexed by an id type: `list[id]`, `list[id] = …` and `list.lookup(id)`, for the list
/// as a slice and as a `Vec`.
macro_rules! indexed_by {
    ($id:ty => $item:ty) => {
        impl std::ops::Index<$id> for [$item] {
            type Output = $item;

            fn index(&self, id: $id) -> &$item {
                &self[id.index()]
            }
        }

        impl std::ops::IndexMut<$id> for [$item] {
            fn index_mut(&mut self, id: $id) -> &mut $item {
                &mut self[id.index()]
            }
        }

        impl std::ops::Index<$id> for Vec<$item> {
            type Output = $item;

            fn index(&self, id: $id) -> &$item {
                &self[id.index()]
            }
        }

        impl std::ops::IndexMut<$id> for Vec<$item> {
            fn index_mut(&mut self, id: $id) -> &mut $item {
                &mut self[id.index()]
            }
        }

        impl $crate::engine::ids::Lookup<$id> for [$item] {
            type Item = $item;

            fn lookup(&self, id: $id) -> Option<&$item> {
                self.get(id.index())
            }
        }
    };
}
pub(crate) use indexed_by;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(usize);

        impl $name {
            /// The id of the item at `position` in its list.
            pub const fn new(position: usize) -> Self {
                Self(position)
            }

            /// Its position in its list.
            pub const fn index(self) -> usize {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

index_type!(
    /// A role: an index into `Scenario::roles`, and into the lists that have one entry per role
    /// (a round's orders, a table's drafts and ready flags, the scores).
    RoleId
);
// The lists with one entry per role besides the scenario's: ready flags and scores (a round's
// orders, `Vec<Vec<Order>>`, are indexed in `order`).
indexed_by!(RoleId => bool);
indexed_by!(RoleId => u32);
index_type!(
    /// A track: an index into `Scenario::tracks` (and into a state's values and each round's
    /// history).
    TrackId
);
index_type!(
    /// A move: an index into `Scenario::moves`, which holds every role's moves.
    MoveId
);
index_type!(
    /// A target: an index into `Scenario::targets`, the roles first, then the outside actors.
    TargetId
);
index_type!(
    /// A scenario event: an index into `Scenario::events`.
    EventId
);
index_type!(
    /// An interaction: an index into `Scenario::interactions`.
    InteractionId
);
