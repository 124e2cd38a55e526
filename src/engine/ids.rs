//! Typed indices into a scenario's lists: a [`TrackId`] can only be used where a track is meant,
//! a [`TargetId`] only where a target is, and so on, so that the compiler catches a move's index
//! passed as an event's, or a role's index taken for a target's.
//!
//! Roles stay plain `usize` ([`RoleId`](super::RoleId)) for now: a role's index also indexes the
//! per-role lists of the table and the server (a round's orders, drafts, ready flags, scores), and
//! typing those well wants a per-role list type of its own rather than `.index()` at each use.
//!
//! Invariant: an id made by the scenario loader, by a scenario's lookups and iterators
//! (`move_index`, `indexed_tracks`, …) or by walking one of its lists points into that list, so
//! indexing with it cannot fail. Orders may carry ids from outside (the fuzzer and the tests make
//! out-of-range ones on purpose), and the code that meets those uses [`Lookup::lookup`], which
//! answers `None`. Ids are serialized as bare numbers, so a state's canonical form (and its hash)
//! is the same as when they were plain `usize`s.

use serde::{Deserialize, Serialize};

use super::model::{Event, Interaction, Move, Target, Track};

/// `slice.get(i)` for a typed id, on the list that id points into: `scenario.moves.lookup(mv)`.
pub trait Lookup<Id> {
    type Item;
    fn lookup(&self, id: Id) -> Option<&Self::Item>;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
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

        impl std::ops::Index<$name> for [$item] {
            type Output = $item;

            fn index(&self, id: $name) -> &$item {
                &self[id.0]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Lookup<$name> for [$item] {
            type Item = $item;

            fn lookup(&self, id: $name) -> Option<&$item> {
                self.get(id.0)
            }
        }

        impl std::ops::IndexMut<$name> for [$item] {
            fn index_mut(&mut self, id: $name) -> &mut $item {
                &mut self[id.0]
            }
        }

        impl std::ops::Index<$name> for Vec<$item> {
            type Output = $item;

            fn index(&self, id: $name) -> &$item {
                &self[id.0]
            }
        }

        impl std::ops::IndexMut<$name> for Vec<$item> {
            fn index_mut(&mut self, id: $name) -> &mut $item {
                &mut self[id.0]
            }
        }
    };
}

index_type!(
    /// A track: an index into `Scenario::tracks` (and into a state's values and each round's
    /// history).
    TrackId => Track
);
index_type!(
    /// A move: an index into `Scenario::moves`, which holds every role's moves.
    MoveId => Move
);
index_type!(
    /// A target: an index into `Scenario::targets`, the roles first, then the outside actors.
    TargetId => Target
);
index_type!(
    /// A scenario event: an index into `Scenario::events`.
    EventId => Event
);
index_type!(
    /// An interaction: an index into `Scenario::interactions`.
    InteractionId => Interaction
);
