//! A resolved round in words, in one language: each outcome's one-line *why* with the essay's ¶,
//! and the headline. The scenario passed in is the one in the reader's language (see
//! `scenario::Localized`); the words around its texts come from that language's [`Phrases`].
//!
//! Invariant: every line names the rule that produced it (a move, an event or an interaction) and
//! so its essay paragraphs, so a client can explain any change in one line.

use serde::Serialize;

use super::phrases::{fill, Phrases};
use super::Lang;
use crate::engine::model::Scenario;
use crate::engine::report::{EventOutcome, InteractionOutcome, OrderOutcome, Status};
use crate::engine::{Lookup, TargetId, TrackId};

/// One line of the report as a person reads it: what happened, why, and where the essay says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub text: String,
    pub essay: Vec<u32>,
}

/// An order's outcome in words.
pub fn order(sc: &Scenario, o: &OrderOutcome, lang: Lang) -> Line {
    let p = lang.phrases();
    let Some(def) = sc.moves.lookup(o.order.mv) else {
        let reason = p.reason(&crate::engine::Illegal::UnknownMove);
        return Line { text: fill(p.unknown_order, &[("reason", &reason)]), essay: Vec::new() };
    };
    let role = sc.roles.lookup(o.role).map_or("", |r| r.name.as_str());
    let target = target(sc, p, o.order.target);
    let slots = |text: &str| -> Vec<(&'static str, String)> {
        vec![("role", role.to_string()), ("move", def.name.clone()), ("target", target.clone()), ("text", text.into())]
    };
    let (template, values) = match &o.status {
        Status::Succeeded if o.automatic => (p.automatic, slots(&def.success_text)),
        Status::Succeeded => (p.succeeded, slots(&def.success_text)),
        Status::PartnerMissing { partners } => {
            let names: Vec<&str> =
                partners.iter().filter_map(|r| sc.roles.lookup(*r)).map(|r| r.name.as_str()).collect();
            let mut v = slots(&def.failure_text);
            v.push(("partners", names.join(p.and)));
            (p.partner_missing, v)
        }
        Status::ConditionNotMet => {
            let why = if def.unmet_text.is_empty() { &def.failure_text } else { &def.unmet_text };
            (p.condition_not_met, slots(why))
        }
        Status::Illegal { reason } => {
            let mut v = slots("");
            v.push(("reason", p.reason(reason)));
            (p.illegal, v)
        }
    };
    let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Line { text: fill(template, &refs).trim_end().to_string(), essay: def.essay.clone() }
}

fn target(sc: &Scenario, p: &Phrases, target: Option<TargetId>) -> String {
    match target.and_then(|t| sc.targets.lookup(t)) {
        Some(t) => fill(p.target, &[("target", &t.name)]),
        None => String::new(),
    }
}

/// An event in play, in words.
pub fn event(sc: &Scenario, e: &EventOutcome, lang: Lang) -> Line {
    match sc.events.lookup(e.event) {
        Some(def) => Line {
            text: fill(lang.phrases().event, &[("name", &def.name), ("text", &def.text)]),
            essay: def.essay.clone(),
        },
        None => Line { text: String::new(), essay: Vec::new() },
    }
}

/// An interaction that fired: its own line.
pub fn interaction(sc: &Scenario, i: &InteractionOutcome) -> Line {
    match sc.interactions.lookup(i.interaction) {
        Some(def) => Line { text: def.text.clone(), essay: def.essay.clone() },
        None => Line { text: String::new(), essay: Vec::new() },
    }
}

/// "Track +2": one change of a headline.
pub fn headline_item(sc: &Scenario, track: TrackId, delta: i64, lang: Lang) -> String {
    let name = sc.tracks.lookup(track).map_or("", |t| t.name.as_str());
    fill(lang.phrases().headline, &[("track", name), ("delta", &format!("{delta:+}"))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::order::Order;
    use crate::engine::testing::fixture;
    use crate::engine::RoleId;

    fn outcome(sc: &Scenario, role: &str, mv: &str, status: Status) -> OrderOutcome {
        let role = sc.role_index(role).expect("role");
        let mv = sc.move_index(role, mv).expect("move");
        OrderOutcome { role, order: Order { mv, target: None }, status, effects: Vec::new(), automatic: false }
    }

    #[test]
    fn lines_read_in_each_language_and_keep_the_scenario_text() {
        let sc = fixture();
        let role = &sc.roles[0];
        let (mv_index, mv) = sc.moves_of(RoleId::new(0)).next().expect("a move");
        let o = outcome(&sc, &role.id, &mv.id, Status::Succeeded);
        let en = order(&sc, &o, Lang::En);
        assert_eq!(en.text, format!("{}: {} succeeded. {}", role.name, mv.name, mv.success_text).trim_end());
        assert_eq!(en.essay, sc.moves[mv_index].essay);
        let zh = order(&sc, &o, Lang::Zh);
        assert!(zh.text.starts_with(&format!("{}：{}成功。", role.name, mv.name)), "{}", zh.text);
        let mn = order(&sc, &o, Lang::Mn);
        assert!(mn.text.contains("амжилттай боллоо"), "{}", mn.text);
        let ru = order(&sc, &o, Lang::Ru);
        assert!(ru.text.contains("— успешно."), "{}", ru.text);
        for lang in Lang::ALL {
            assert!(order(&sc, &o, lang).text.contains(mv.success_text.trim()), "{lang}");
        }
    }
}
