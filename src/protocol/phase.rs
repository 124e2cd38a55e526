//! The phase of a session or a class: what the wire, the sessions table and the class's console
//! call it.

use serde::Serialize;

/// A session's phase (and a class's, which is never `waiting`), serialized as the wire names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Lobby,
    Running,
    /// A class's table that resolved its round early: it waits for the class's next round.
    Waiting,
    Paused,
    Finished,
}

impl Phase {
    /// The phases a stored session's row can have (a waiting table is listed as running).
    pub const ALL: [Phase; 4] = [Phase::Lobby, Phase::Running, Phase::Paused, Phase::Finished];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Lobby => "lobby",
            Phase::Running => "running",
            Phase::Waiting => "waiting",
            Phase::Paused => "paused",
            Phase::Finished => "finished",
        }
    }

    /// The word for the sessions table's `status` column, where waiting counts as running.
    pub fn status(self) -> &'static str {
        match self {
            Phase::Waiting => Phase::Running.as_str(),
            other => other.as_str(),
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire's name (serde's) and the store's (`as_str`) are one and the same word.
    #[test]
    fn each_phase_is_written_as_its_name() {
        for phase in [Phase::Lobby, Phase::Running, Phase::Waiting, Phase::Paused, Phase::Finished] {
            assert_eq!(serde_json::to_value(phase).ok(), Some(serde_json::Value::from(phase.as_str())));
        }
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.status()), Some(phase));
        }
        assert_eq!(Phase::parse(Phase::Waiting.status()), Some(Phase::Running));
    }
}
