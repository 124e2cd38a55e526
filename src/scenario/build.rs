//! From a scenario file's text to a validated [`Scenario`]: every key known, every name resolved,
//! every expression type-checked, every move and rule citing the essay.

use std::collections::HashSet;

use toml_edit::TableLike;

use super::reader::{closest, At, Reader};
use crate::engine::expr::{self, Expr, Type};
use crate::engine::model::{
    Choice, Effect, Event, Interaction, Joint, Lesson, Move, Objective, Partner, PrivateObjective, Role, RoundDef,
    Scenario, ScoreTerm, Target, Term, TimingStep, Track,
};
use crate::engine::{EventId, Lookup, MoveId, RoleId, TargetId, TrackId};

const TOP_KEYS: &[&str] =
    &["scenario", "roles", "tracks", "actors", "rounds", "moves", "interactions", "events", "lesson"];
const SCENARIO_KEYS: &[&str] = &["id", "title", "summary", "source", "source_paragraphs", "action_points"];
const ROLE_KEYS: &[&str] = &["id", "name", "briefing", "action_points", "objective", "memo", "private_objective"];
const PRIVATE_KEYS: &[&str] = &["summary", "essay"];
const LESSON_KEYS: &[&str] =
    &["objectives", "minutes", "timing", "terms", "debrief_questions", "reflection", "caveats"];
const TIMING_KEYS: &[&str] = &["step", "minutes"];
const TERM_ENTRY_KEYS: &[&str] = &["term", "meaning"];
/// A memo's length, in words: long enough to prepare from, short enough to read in class.
const MEMO_WORDS: std::ops::RangeInclusive<usize> = 200..=400;
const OBJECTIVE_KEYS: &[&str] = &["summary", "essay", "score"];
const TERM_KEYS: &[&str] = &["track", "min", "weight", "invert", "label"];
const TRACK_KEYS: &[&str] = &["id", "name", "summary", "min", "max", "start", "visible_to"];
const ACTOR_KEYS: &[&str] = &["id", "name"];
const ROUND_KEYS: &[&str] = &["name", "briefing", "events", "discussion"];
const MOVE_KEYS: &[&str] = &[
    "role",
    "id",
    "name",
    "summary",
    "essay",
    "cost",
    "targets",
    "joint",
    "available",
    "requires",
    "effects",
    "by_target",
    "on_fail",
    "success",
    "failure",
    "unmet",
];
const JOINT_KEYS: &[&str] = &["partners", "move", "need"];
const INTERACTION_KEYS: &[&str] = &["id", "when", "effects", "text", "essay", "once"];
const EVENT_KEYS: &[&str] = &["id", "name", "text", "essay", "effects", "chance", "rounds", "choice"];
const CHOICE_KEYS: &[&str] = &["role", "moves", "default"];

/// The names declared in a file, gathered before anything refers to them.
#[derive(Default)]
struct Names {
    roles: Vec<String>,
    tracks: Vec<String>,
    /// Roles first, then actors.
    targets: Vec<String>,
    events: Vec<String>,
    /// (role index, move id), in file order; `None` role when the role was unknown.
    moves: Vec<(Option<RoleId>, String)>,
    orders_visible: bool,
}

impl Names {
    /// The move `name` of the role with index `role`.
    fn move_of(&self, role: RoleId, name: &str) -> Option<MoveId> {
        self.moves.iter().position(|(r, m)| *r == Some(role) && m == name).map(MoveId::new)
    }

    /// The role a target stands for (roles come first among the targets), if it is one.
    fn role_of_target(&self, target: TargetId) -> Option<RoleId> {
        (target.index() < self.roles.len()).then_some(RoleId::new(target.index()))
    }
}

impl expr::Symbols for Names {
    fn track(&self, name: &str) -> Option<TrackId> {
        self.tracks.iter().position(|t| t == name).map(TrackId::new)
    }
    fn role(&self, name: &str) -> Option<RoleId> {
        self.roles.iter().position(|r| r == name).map(RoleId::new)
    }
    fn role_move(&self, role: RoleId, name: &str) -> Option<MoveId> {
        self.move_of(role, name)
    }
    fn target(&self, name: &str) -> Option<TargetId> {
        self.targets.iter().position(|t| t == name).map(TargetId::new)
    }
    fn event(&self, name: &str) -> Option<EventId> {
        self.events.iter().position(|e| e == name).map(EventId::new)
    }
    fn orders_visible(&self) -> bool {
        self.orders_visible
    }
}

/// Builds the scenario, or returns every problem found, each with its byte offset resolved to a
/// line and column by the reader.
pub(super) fn build(text: &str, reader: &mut Reader) -> Option<Scenario> {
    let doc = reader.document(text)?;
    let root: &dyn TableLike = doc.as_table();
    reader.only_keys(root, TOP_KEYS, "the file");
    let mut b = Builder { r: reader, names: Names::default(), paragraphs: 0 };

    let head = b.r.table(root, "scenario", "the file");
    if head.is_none() && root.get("scenario").is_none() {
        b.r.problem(0, "the file has no [scenario] table (id, title, summary, source, source_paragraphs)");
    }
    let roles_t = b.r.tables(root, "roles");
    let tracks_t = b.r.tables(root, "tracks");
    let actors_t = b.r.tables(root, "actors");
    let rounds_t = b.r.tables(root, "rounds");
    let moves_t = b.r.tables(root, "moves");
    let interactions_t = b.r.tables(root, "interactions");
    let events_t = b.r.tables(root, "events");

    // Pass 1: names.
    b.names.roles = b.declare(&roles_t, "role");
    b.names.tracks = b.declare(&tracks_t, "track");
    let actors = b.declare(&actors_t, "actor");
    for (actor, (t, at)) in actors.iter().zip(&actors_t) {
        if b.names.roles.contains(actor) {
            let span = Reader::span_of(*t, "id");
            b.r.problem(span.start.max(*at), format!("actor `{actor}` has the same id as a role"));
        }
    }
    b.names.targets = b.names.roles.iter().chain(&actors).cloned().collect();
    b.names.events = b.declare(&events_t, "event");
    b.declare_moves(&moves_t);

    // Pass 2: everything else.
    let head_at = Reader::span_of(root, "scenario").start;
    let head_fields = head.map(|t| b.head(t, head_at));
    let tracks: Vec<Track> = tracks_t.iter().map(|(t, at)| b.track(*t, *at)).collect();
    let roles: Vec<Role> = roles_t.iter().map(|(t, at)| b.role(*t, *at, head_fields.as_ref())).collect();
    let mut targets: Vec<Target> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| Target { id: r.id.clone(), name: r.name.clone(), role: Some(RoleId::new(i)) })
        .collect();
    for (t, at) in &actors_t {
        let id = b.r.string(*t, "id", *at, "an actor").map(|s| s.value).unwrap_or_default();
        let name = b.r.string(*t, "name", *at, "an actor").map(|s| s.value).unwrap_or_default();
        b.r.only_keys(*t, ACTOR_KEYS, "an actor");
        targets.push(Target { id, name, role: None });
    }
    let mut moves: Vec<Move> = moves_t.iter().map(|(t, at)| b.mv(*t, *at)).collect();
    let interactions: Vec<Interaction> = interactions_t.iter().map(|(t, at)| b.interaction(*t, *at)).collect();
    b.unique(&interactions_t, "interaction");
    let rounds: Vec<RoundDef> = rounds_t.iter().map(|(t, at)| b.round(*t, *at)).collect();
    let events: Vec<Event> = events_t
        .iter()
        .enumerate()
        .map(|(i, (t, at))| b.event(*t, *at, EventId::new(i), rounds.len(), &mut moves))
        .collect();

    if roles_t.is_empty() {
        b.r.problem(0, "the scenario declares no [[roles]]");
    }
    if tracks_t.is_empty() {
        b.r.problem(0, "the scenario declares no [[tracks]]");
    }
    if rounds_t.is_empty() {
        b.r.problem(0, "the scenario declares no [[rounds]]");
    }
    for (i, role) in roles.iter().enumerate() {
        if !moves.iter().any(|m| m.role == RoleId::new(i)) {
            let at = roles_t[i].1;
            b.r.problem(at, format!("role `{}` has no moves", role.id));
        }
    }

    let lesson = b.r.table(root, "lesson", "the file").map(|t| b.lesson(t, Reader::span_of(root, "lesson").start));
    if lesson.is_some() {
        // A lesson needs its parts everywhere: a prompt after every round, a memo for every role.
        for ((round, (_, at)), n) in rounds.iter().zip(&rounds_t).zip(1..) {
            if round.discussion.is_empty() {
                b.r.problem(
                    *at,
                    format!("round {n} has no `discussion`: a scenario with a [lesson] gives every round a prompt"),
                );
            }
        }
        for (role, (_, at)) in roles.iter().zip(&roles_t) {
            if role.memo.is_empty() {
                b.r.problem(
                    *at,
                    format!("role `{}` has no `memo`: a scenario with a [lesson] gives every role one", role.id),
                );
            }
        }
    }
    for (i, (role, (t, at))) in roles.iter().zip(&roles_t).enumerate() {
        if role.private_objective.is_none() {
            continue;
        }
        let private = role.objective.terms.iter().any(|term| {
            term.tracks
                .iter()
                .all(|tr| tracks.lookup(*tr).and_then(|x| x.visible_to.as_deref()) == Some(&[RoleId::new(i)][..]))
        });
        if !private {
            let offset = Reader::span_of(*t, "private_objective").start.max(*at);
            b.r.problem(
                offset,
                format!(
                    "role `{}` has a private_objective, but no score term on a track only it sees (visible_to = [\"{}\"]): a private objective must count in its score",
                    role.id, role.id
                ),
            );
        }
    }

    if !b.r.problems.is_empty() {
        return None;
    }
    let head = head_fields?;
    Some(Scenario {
        id: head.id,
        title: head.title,
        summary: head.summary,
        source_title: head.source,
        source_paragraphs: head.paragraphs,
        roles,
        tracks,
        targets,
        moves,
        interactions,
        events,
        rounds,
        lesson,
    })
}

struct Head {
    id: String,
    title: String,
    summary: String,
    source: String,
    paragraphs: u32,
    action_points: u32,
}

struct Builder<'r, 'a> {
    r: &'r mut Reader<'a>,
    names: Names,
    paragraphs: u32,
}

fn valid_id(id: &str, allow_dash: bool) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || (allow_dash && c == '-'))
}

impl Builder<'_, '_> {
    /// Reads the `id` of each entry, checking form and uniqueness.
    fn declare(&mut self, entries: &[(&dyn TableLike, usize)], what: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (t, at) in entries {
            let id = self.r.string(*t, "id", *at, &format!("a {what}"));
            let Some(id) = id else {
                out.push(String::new());
                continue;
            };
            if !valid_id(&id.value, false) {
                self.r.problem(
                    id.span.start,
                    format!(
                        "{what} id `{}` must be lowercase letters, digits and `_`, starting with a letter",
                        id.value
                    ),
                );
            }
            if !seen.insert(id.value.clone()) {
                self.r.problem(id.span.start, format!("there are two {what}s with the id `{}`", id.value));
            }
            out.push(id.value);
        }
        out
    }

    fn unique(&mut self, entries: &[(&dyn TableLike, usize)], what: &str) {
        let names = std::mem::take(&mut self.names);
        let _ = self.declare(entries, what);
        self.names = names;
    }

    fn declare_moves(&mut self, entries: &[(&dyn TableLike, usize)]) {
        let mut seen = HashSet::new();
        for (t, at) in entries {
            let role = self.r.string(*t, "role", *at, "a move");
            let id = self.r.string(*t, "id", *at, "a move");
            let role_index =
                role.as_ref().and_then(|r| self.names.roles.iter().position(|x| *x == r.value)).map(RoleId::new);
            if let Some(id) = &id {
                if !valid_id(&id.value, false) {
                    self.r.problem(
                        id.span.start,
                        format!("move id `{}` must be lowercase letters, digits and `_`", id.value),
                    );
                }
                if let Some(role) = &role {
                    if !seen.insert((role.value.clone(), id.value.clone())) {
                        self.r.problem(
                            id.span.start,
                            format!("role `{}` has two moves with the id `{}`", role.value, id.value),
                        );
                    }
                }
            }
            self.names.moves.push((role_index, id.map(|i| i.value).unwrap_or_default()));
        }
    }

    fn head(&mut self, t: &dyn TableLike, at: usize) -> Head {
        const WHAT: &str = "[scenario]";
        self.r.only_keys(t, SCENARIO_KEYS, WHAT);
        let id = self.r.string(t, "id", at, WHAT);
        if let Some(id) = &id {
            if !valid_id(&id.value, true) {
                self.r.problem(id.span.start, "the scenario id must be lowercase letters, digits, `_` and `-`");
            }
        }
        let paragraphs = self.r.int(t, "source_paragraphs", at, WHAT);
        if let Some(p) = &paragraphs {
            if p.value < 1 || p.value > 100_000 {
                self.r.problem(
                    p.span.start,
                    "source_paragraphs must be the number of paragraphs of the source (at least 1)",
                );
            }
        }
        self.paragraphs = paragraphs.map_or(0, |p| p.value.clamp(0, 100_000) as u32);
        let action_points = self.r.optional_int(t, "action_points", 0, WHAT);
        Head {
            id: id.map(|s| s.value).unwrap_or_default(),
            title: self.text(t, "title", at, WHAT),
            summary: self.text(t, "summary", at, WHAT),
            source: self.text(t, "source", at, WHAT),
            paragraphs: self.paragraphs,
            action_points: self.points(action_points).unwrap_or(2),
        }
    }

    fn points(&mut self, value: Option<At<i64>>) -> Option<u32> {
        let v = value?;
        if !(1..=20).contains(&v.value) {
            self.r.problem(v.span.start, format!("action points must be between 1 and 20, not {}", v.value));
            return None;
        }
        Some(v.value as u32)
    }

    /// Required, non-empty text.
    fn text(&mut self, t: &dyn TableLike, key: &str, at: usize, what: &str) -> String {
        match self.r.string(t, key, at, what) {
            Some(s) if s.value.trim().is_empty() => {
                self.r.problem(s.span.start, format!("`{key}` in {what} must not be empty"));
                String::new()
            }
            Some(s) => s.value,
            None => String::new(),
        }
    }

    /// `essay = [n, …]`: required, non-empty, every paragraph within the source.
    fn essay(&mut self, t: &dyn TableLike, at: usize, what: &str) -> Vec<u32> {
        let cited = self.r.ints(t, "essay", at, what);
        if cited.is_empty() && t.get("essay").is_some() {
            self.r.problem(
                Reader::span_of(t, "essay").start,
                format!("{what} must cite at least one paragraph, like essay = [3]"),
            );
        }
        let mut out = Vec::new();
        for p in cited {
            if self.paragraphs == 0 {
                // source_paragraphs is missing or wrong, which is reported on its own.
                out.push(p.value.clamp(1, i64::from(u32::MAX)) as u32);
            } else if p.value < 1 || p.value > i64::from(self.paragraphs) {
                self.r.problem(
                    p.span.start,
                    format!("¶{} does not exist: the source has paragraphs 1 to {}", p.value, self.paragraphs),
                );
            } else {
                out.push(p.value as u32);
            }
        }
        out
    }

    fn lookup(&mut self, list: &[String], name: &At<String>, what: &str) -> Option<usize> {
        let found = list.iter().position(|x| *x == name.value);
        if found.is_none() {
            let candidates: Vec<&str> = list.iter().map(String::as_str).collect();
            let hint = closest(&name.value, &candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
            self.r.problem(name.span.start, format!("there is no {what} `{}`{hint}", name.value));
        }
        found
    }

    fn role_ref(&mut self, name: &At<String>) -> Option<RoleId> {
        let roles = self.names.roles.clone();
        self.lookup(&roles, name, "role").map(RoleId::new)
    }

    fn track_ref(&mut self, name: &At<String>) -> Option<TrackId> {
        let tracks = self.names.tracks.clone();
        self.lookup(&tracks, name, "track").map(TrackId::new)
    }

    fn target_ref(&mut self, name: &At<String>) -> Option<TargetId> {
        let targets = self.names.targets.clone();
        self.lookup(&targets, name, "role or actor").map(TargetId::new)
    }

    fn compile(&mut self, source: &At<String>, ty: Type, orders_visible: bool) -> Option<Expr> {
        self.names.orders_visible = orders_visible;
        match expr::compile(&source.value, ty, &self.names) {
            Ok(e) => Some(e),
            Err(e) => {
                // The expression sits inside quotes: +1 skips the opening quote.
                self.r.problem(source.span.start + 1 + e.offset, format!("in `{}`: {}", source.value, e.message));
                None
            }
        }
    }

    /// `{ track = amount, … }` where an amount is a whole number or an expression in quotes.
    fn effects(&mut self, t: &dyn TableLike, key: &str, what: &str, orders_visible: bool) -> Vec<Effect> {
        let Some(table) = self.r.table(t, key, what) else {
            return Vec::new();
        };
        self.effect_table(table, what, orders_visible)
    }

    fn effect_table(&mut self, table: &dyn TableLike, what: &str, orders_visible: bool) -> Vec<Effect> {
        let mut out = Vec::new();
        for (name, item) in table.iter() {
            let key_span = table.key(name).and_then(|k| k.span()).unwrap_or(0..0);
            let track = self.track_ref(&At { value: name.to_string(), span: key_span });
            let amount = match item.as_value() {
                Some(v) if v.as_integer().is_some() => v.as_integer().map(Expr::Int),
                Some(v) if v.as_str().is_some() => {
                    let source =
                        At { value: v.as_str().unwrap_or_default().to_string(), span: v.span().unwrap_or(0..0) };
                    self.compile(&source, Type::Int, orders_visible)
                }
                _ => {
                    let offset = item.span().unwrap_or(0..0).start;
                    self.r.problem(
                        offset,
                        format!("the change to `{name}` in {what} must be a whole number or an expression in quotes"),
                    );
                    None
                }
            };
            if let (Some(track), Some(amount)) = (track, amount) {
                out.push(Effect { track, amount });
            }
        }
        out
    }

    fn track(&mut self, t: &dyn TableLike, at: usize) -> Track {
        const WHAT: &str = "a track";
        self.r.only_keys(t, TRACK_KEYS, WHAT);
        let min = self.r.int(t, "min", at, WHAT);
        let max = self.r.int(t, "max", at, WHAT);
        let start = self.r.int(t, "start", at, WHAT);
        let (lo, hi) = (min.as_ref().map_or(0, |m| m.value), max.as_ref().map_or(0, |m| m.value));
        if let (Some(_), Some(m)) = (&min, &max) {
            if lo >= hi {
                self.r.problem(m.span.start, format!("max ({hi}) must be greater than min ({lo})"));
            }
        }
        if let (Some(s), Some(_), Some(_)) = (&start, &min, &max) {
            if s.value < lo || s.value > hi {
                self.r.problem(s.span.start, format!("start ({}) must lie between min ({lo}) and max ({hi})", s.value));
            }
        }
        let visible = self.r.optional_strings(t, "visible_to", at, WHAT);
        let visible_to = if t.get("visible_to").is_some() {
            Some(visible.iter().filter_map(|v| self.role_ref(v)).collect())
        } else {
            None
        };
        Track {
            id: self.r.string(t, "id", at, WHAT).map(|s| s.value).unwrap_or_default(),
            name: self.text(t, "name", at, WHAT),
            summary: self.text(t, "summary", at, WHAT),
            min: lo,
            max: hi,
            start: start.map_or(lo, |s| s.value),
            visible_to,
        }
    }

    fn role(&mut self, t: &dyn TableLike, at: usize, head: Option<&Head>) -> Role {
        const WHAT: &str = "a role";
        self.r.only_keys(t, ROLE_KEYS, WHAT);
        let points = self.r.optional_int(t, "action_points", at, WHAT);
        let action_points = self.points(points).or(head.map(|h| h.action_points)).unwrap_or(2);
        let objective = match self.r.table(t, "objective", WHAT) {
            Some(o) => self.objective(o, at),
            None => {
                if t.get("objective").is_none() {
                    self.r.problem(at, "a role is missing its [roles.objective] (summary, essay, score)");
                }
                Objective { summary: String::new(), essay: Vec::new(), terms: Vec::new() }
            }
        };
        let memo = self.prose(t, "memo", at, WHAT);
        if let Some(memo) = &memo {
            let words = memo.value.split_whitespace().count();
            if !MEMO_WORDS.contains(&words) {
                self.r.problem(
                    memo.span.start,
                    format!(
                        "a memo should take a few minutes to read: {} to {} words, not {words}",
                        MEMO_WORDS.start(),
                        MEMO_WORDS.end()
                    ),
                );
            }
            if !memo.value.contains('¶') {
                self.r.problem(memo.span.start, "a memo must cite the paragraphs it draws on, like (¶2)");
            }
        }
        let private_objective = self.r.table(t, "private_objective", WHAT).map(|p| {
            const PRIVATE: &str = "a private_objective";
            self.r.only_keys(p, PRIVATE_KEYS, PRIVATE);
            let at = Reader::span_of(t, "private_objective").start;
            PrivateObjective { summary: self.text(p, "summary", at, PRIVATE), essay: self.essay(p, at, PRIVATE) }
        });
        Role {
            id: self.r.string(t, "id", at, WHAT).map(|s| s.value).unwrap_or_default(),
            name: self.text(t, "name", at, WHAT),
            briefing: self.text(t, "briefing", at, WHAT),
            action_points,
            objective,
            memo: memo.map(|m| m.value).unwrap_or_default(),
            private_objective,
        }
    }

    /// Optional text for people (a memo, a prompt): not empty when given, and every ¶N it
    /// mentions within the source.
    fn prose(&mut self, t: &dyn TableLike, key: &str, at: usize, what: &str) -> Option<At<String>> {
        let text = self.r.optional_string(t, key, at, what)?;
        if text.value.trim().is_empty() {
            self.r.problem(text.span.start, format!("`{key}` in {what} must not be empty"));
            return None;
        }
        self.cited_in_text(&text);
        Some(text)
    }

    /// Checks every `¶N` written inside a text against the source's paragraphs.
    fn cited_in_text(&mut self, text: &At<String>) {
        if self.paragraphs == 0 {
            return;
        }
        let raw = self.r.source(text.span.clone()).to_string();
        for (i, _) in text.value.match_indices('¶') {
            let digits: String = text.value[i + '¶'.len_utf8()..].chars().take_while(char::is_ascii_digit).collect();
            let Ok(n) = digits.parse::<u64>() else {
                continue;
            };
            if n < 1 || n > u64::from(self.paragraphs) {
                // Point at the citation itself when the file has it as written.
                let needle = format!("¶{digits}");
                let offset = raw.find(&needle).map_or(text.span.start, |o| text.span.start + o);
                self.r.problem(
                    offset,
                    format!("¶{n} does not exist: the source has paragraphs 1 to {}", self.paragraphs),
                );
            }
        }
    }

    /// Required, non-empty text that may cite ¶s.
    fn prose_required(&mut self, t: &dyn TableLike, key: &str, at: usize, what: &str) -> String {
        if t.get(key).is_none() {
            self.r.problem(at, format!("{what} is missing the key `{key}`"));
            return String::new();
        }
        self.prose(t, key, at, what).map(|p| p.value).unwrap_or_default()
    }

    /// A non-empty list of texts, each of which may cite ¶s.
    fn prose_list(&mut self, t: &dyn TableLike, key: &str, at: usize, what: &str) -> Vec<String> {
        let items = self.r.strings(t, key, at, what);
        self.prose_items(t, key, items, what)
    }

    /// Like `prose_list`, empty when the key is left out.
    fn optional_prose_list(&mut self, t: &dyn TableLike, key: &str, at: usize, what: &str) -> Vec<String> {
        let items = self.r.optional_strings(t, key, at, what);
        self.prose_items(t, key, items, what)
    }

    fn prose_items(&mut self, t: &dyn TableLike, key: &str, items: Vec<At<String>>, what: &str) -> Vec<String> {
        if items.is_empty() && t.get(key).is_some() {
            self.r.problem(Reader::span_of(t, key).start, format!("`{key}` in {what} must list at least one entry"));
        }
        let mut out = Vec::new();
        for item in items {
            if item.value.trim().is_empty() {
                self.r.problem(item.span.start, format!("an entry of `{key}` in {what} is empty"));
                continue;
            }
            self.cited_in_text(&item);
            out.push(item.value);
        }
        out
    }

    fn lesson(&mut self, t: &dyn TableLike, at: usize) -> Lesson {
        const WHAT: &str = "[lesson]";
        self.r.only_keys(t, LESSON_KEYS, WHAT);
        let objectives = self.prose_list(t, "objectives", at, WHAT);
        let minutes = self.r.int(t, "minutes", at, WHAT);
        if let Some(m) = &minutes {
            if !(1..=600).contains(&m.value) {
                self.r.problem(m.span.start, "minutes is the whole lesson's length: between 1 and 600");
            }
        }
        let mut timing = Vec::new();
        for (step, step_at) in self.r.tables(t, "timing") {
            const STEP: &str = "a timing step";
            self.r.only_keys(step, TIMING_KEYS, STEP);
            let name = self.text(step, "step", step_at, STEP);
            let length = self.r.int(step, "minutes", step_at, STEP);
            if let Some(l) = &length {
                if !(1..=600).contains(&l.value) {
                    self.r.problem(l.span.start, "a step's minutes must be between 1 and 600");
                }
            }
            timing.push(TimingStep { step: name, minutes: length.map_or(0, |l| l.value.clamp(0, 600) as u32) });
        }
        let total: u32 = timing.iter().map(|s| s.minutes).sum();
        if let Some(m) = &minutes {
            if !timing.is_empty() && i64::from(total) != m.value {
                self.r.problem(
                    Reader::span_of(t, "timing").start,
                    format!("the timing steps add up to {total} minutes, but minutes = {}", m.value),
                );
            }
        }
        let mut terms: Vec<Term> = Vec::new();
        let entries = self.r.tables(t, "terms");
        if entries.is_empty() && t.get("terms").is_none() {
            self.r.problem(at, "[lesson] is missing the key `terms` (a list of { term, meaning })");
        }
        for (entry, entry_at) in entries {
            const ENTRY: &str = "a term";
            self.r.only_keys(entry, TERM_ENTRY_KEYS, ENTRY);
            let term = self.text(entry, "term", entry_at, ENTRY);
            if !term.is_empty() && terms.iter().any(|t| t.term.eq_ignore_ascii_case(&term)) {
                self.r.problem(entry_at, format!("the term `{term}` is explained twice"));
            }
            let meaning = self.prose_required(entry, "meaning", entry_at, ENTRY);
            terms.push(Term { term, meaning });
        }
        Lesson {
            objectives,
            minutes: minutes.map_or(0, |m| m.value.clamp(0, 600) as u32),
            timing,
            terms,
            debrief_questions: self.prose_list(t, "debrief_questions", at, WHAT),
            reflection: self.prose_required(t, "reflection", at, WHAT),
            caveats: self.optional_prose_list(t, "caveats", at, WHAT),
        }
    }

    fn objective(&mut self, t: &dyn TableLike, at: usize) -> Objective {
        const WHAT: &str = "an objective";
        self.r.only_keys(t, OBJECTIVE_KEYS, WHAT);
        let summary = self.text(t, "summary", at, WHAT);
        let essay = self.essay(t, at, WHAT);
        let entries = self.r.tables(t, "score");
        if entries.is_empty() {
            self.r.problem(at, "an objective needs a score list, like score = [{ track = \"economy\", weight = 2 }]");
        }
        let mut terms = Vec::new();
        for (term, term_at) in entries {
            const TERM: &str = "a score term";
            self.r.only_keys(term, TERM_KEYS, TERM);
            let single = self.r.optional_string(term, "track", term_at, TERM);
            let several = self.r.optional_strings(term, "min", term_at, TERM);
            let names: Vec<At<String>> = match (single, several.is_empty()) {
                (Some(s), true) => vec![s],
                (None, false) => several,
                _ => {
                    self.r.problem(term_at, "a score term needs exactly one of `track = \"…\"` or `min = [\"…\", …]`");
                    Vec::new()
                }
            };
            let tracks: Vec<TrackId> = names.iter().filter_map(|n| self.track_ref(n)).collect();
            let weight = self.r.optional_int(term, "weight", term_at, TERM);
            if let Some(w) = &weight {
                if !(1..=100).contains(&w.value) {
                    self.r.problem(w.span.start, "weight must be between 1 and 100");
                }
            }
            let label = self
                .r
                .optional_string(term, "label", term_at, TERM)
                .map(|l| l.value)
                .unwrap_or_else(|| names.iter().map(|n| n.value.as_str()).collect::<Vec<_>>().join(" / "));
            terms.push(ScoreTerm {
                tracks,
                weight: weight.map_or(1, |w| w.value.clamp(1, 100) as u32),
                invert: self.r.optional_bool(term, "invert", term_at, TERM).unwrap_or(false),
                label,
            });
        }
        Objective { summary, essay, terms }
    }

    fn mv(&mut self, t: &dyn TableLike, at: usize) -> Move {
        const WHAT: &str = "a move";
        self.r.only_keys(t, MOVE_KEYS, WHAT);
        let role_name = self.r.string(t, "role", at, WHAT);
        let role = role_name.as_ref().and_then(|r| self.role_ref(r));
        let cost = self.r.int(t, "cost", at, WHAT);
        if let Some(c) = &cost {
            if !(0..=20).contains(&c.value) {
                self.r.problem(c.span.start, "cost must be between 0 and 20 action points");
            }
        }
        let target_names = self.r.optional_strings(t, "targets", at, WHAT);
        let mut targets = Vec::new();
        for name in &target_names {
            if let Some(target) = self.target_ref(name) {
                if role.is_some_and(|r| Some(r) == self.names.role_of_target(target)) {
                    self.r.problem(name.span.start, "a move cannot target its own role");
                }
                targets.push(target);
            }
        }
        let joint = self.r.table(t, "joint", WHAT).and_then(|j| self.joint(j, at, role, &targets));
        let available =
            self.r.optional_string(t, "available", at, WHAT).and_then(|s| self.compile(&s, Type::Bool, false));
        let requires = self.r.optional_string(t, "requires", at, WHAT).and_then(|s| self.compile(&s, Type::Bool, true));
        let mut by_target = Vec::new();
        if let Some(table) = self.r.table(t, "by_target", WHAT) {
            for (name, item) in table.iter() {
                let span = table.key(name).and_then(|k| k.span()).unwrap_or(0..0);
                let target = self.target_ref(&At { value: name.to_string(), span: span.clone() });
                if let Some(target) = target {
                    if !targets.contains(&target) {
                        self.r.problem(span.start, format!("`{name}` in by_target is not one of this move's targets"));
                    }
                    match item.as_table_like() {
                        Some(effects) => {
                            let list = self.effect_table(effects, "by_target", false);
                            by_target.push((target, list));
                        }
                        None => {
                            self.r.problem(span.start, format!("by_target.{name} must be a table of track changes"))
                        }
                    }
                }
            }
        }
        let id = self.r.string(t, "id", at, WHAT).map(|s| s.value).unwrap_or_default();
        Move {
            role: role.unwrap_or(RoleId::new(0)),
            name: self.text(t, "name", at, WHAT),
            summary: self.text(t, "summary", at, WHAT),
            essay: self.essay(t, at, WHAT),
            cost: cost.map_or(0, |c| c.value.clamp(0, 20) as u32),
            targets,
            joint,
            available,
            requires,
            choice_of: None,
            effects: self.effects(t, "effects", WHAT, false),
            by_target,
            on_fail: self.effects(t, "on_fail", WHAT, false),
            success_text: self.r.optional_string(t, "success", at, WHAT).map(|s| s.value).unwrap_or_default(),
            failure_text: self.r.optional_string(t, "failure", at, WHAT).map(|s| s.value).unwrap_or_default(),
            unmet_text: self.r.optional_string(t, "unmet", at, WHAT).map(|s| s.value).unwrap_or_default(),
            id,
        }
    }

    fn joint(&mut self, j: &dyn TableLike, at: usize, role: Option<RoleId>, targets: &[TargetId]) -> Option<Joint> {
        const WHAT: &str = "joint";
        self.r.only_keys(j, JOINT_KEYS, WHAT);
        let partner_names = self.r.strings(j, "partners", at, WHAT);
        // `move = "id"`, or `move = ["a", "b"]`: any one of them counts as joining in.
        let move_names: Vec<At<String>> = match j.get("move").and_then(|m| m.as_value()) {
            Some(v) if v.is_array() => {
                let names = self.r.strings(j, "move", at, WHAT);
                if names.is_empty() {
                    self.r.problem(v.span().map_or(at, |s| s.start), "joint.move must name at least one move");
                    return None;
                }
                names
            }
            _ => vec![self.r.string(j, "move", at, WHAT)?],
        };
        let need = self.r.optional_string(j, "need", at, WHAT);
        let need_all = match need.as_ref().map(|n| n.value.as_str()) {
            None | Some("all") => true,
            Some("any") => false,
            Some(other) => {
                let offset = need.as_ref().map_or(at, |n| n.span.start);
                self.r.problem(offset, format!("need must be \"all\" or \"any\", not \"{other}\""));
                true
            }
        };
        if partner_names.is_empty() {
            self.r.problem(at, "joint.partners must name at least one role, or \"target\"");
        }
        let mut partners = Vec::new();
        for name in &partner_names {
            let (partner_role, candidates): (Option<RoleId>, Vec<RoleId>) = if name.value == "target" {
                if targets.is_empty() {
                    self.r.problem(name.span.start, "partners = [\"target\"] needs the move to have targets");
                }
                let mut roles = Vec::new();
                for t in targets {
                    if let Some(r) = self.names.role_of_target(*t) {
                        roles.push(r);
                    } else {
                        let actor = self.names.targets[t.index()].clone();
                        self.r.problem(
                            name.span.start,
                            format!("`{actor}` is an actor, not a role: it cannot be a partner"),
                        );
                    }
                }
                (None, roles)
            } else {
                match self.role_ref(name) {
                    Some(r) => {
                        if Some(r) == role {
                            self.r.problem(name.span.start, "a move cannot be joint with its own role");
                        }
                        (Some(r), vec![r])
                    }
                    None => continue,
                }
            };
            let mut moves = Vec::new();
            for r in candidates {
                for move_name in &move_names {
                    match self.names.move_of(r, &move_name.value) {
                        Some(m) => moves.push((r, m)),
                        None => self.r.problem(
                            move_name.span.start,
                            format!(
                                "role `{}` has no move `{}` to join this one",
                                self.names.roles[r.index()],
                                move_name.value
                            ),
                        ),
                    }
                }
            }
            partners.push(Partner { role: partner_role, moves });
        }
        Some(Joint { partners, need_all })
    }

    fn interaction(&mut self, t: &dyn TableLike, at: usize) -> Interaction {
        const WHAT: &str = "an interaction";
        self.r.only_keys(t, INTERACTION_KEYS, WHAT);
        let when = self.r.string(t, "when", at, WHAT).and_then(|s| self.compile(&s, Type::Bool, true));
        let effects = self.effects(t, "effects", WHAT, true);
        if t.get("effects").is_none() {
            self.r.problem(at, "an interaction is missing the key `effects`");
        }
        Interaction {
            id: self.r.string(t, "id", at, WHAT).map(|s| s.value).unwrap_or_default(),
            when: when.unwrap_or(Expr::Bool(false)),
            effects,
            text: self.text(t, "text", at, WHAT),
            essay: self.essay(t, at, WHAT),
            once: self.r.optional_bool(t, "once", at, WHAT).unwrap_or(false),
        }
    }

    fn round(&mut self, t: &dyn TableLike, at: usize) -> RoundDef {
        const WHAT: &str = "a round";
        self.r.only_keys(t, ROUND_KEYS, WHAT);
        let names = self.r.optional_strings(t, "events", at, WHAT);
        let all = self.names.events.clone();
        let events = names.iter().filter_map(|n| self.lookup(&all, n, "event")).map(EventId::new).collect();
        RoundDef {
            name: self.text(t, "name", at, WHAT),
            briefing: self.text(t, "briefing", at, WHAT),
            events,
            discussion: self.prose(t, "discussion", at, WHAT).map(|d| d.value).unwrap_or_default(),
        }
    }

    fn event(&mut self, t: &dyn TableLike, at: usize, index: EventId, rounds: usize, moves: &mut [Move]) -> Event {
        const WHAT: &str = "an event";
        self.r.only_keys(t, EVENT_KEYS, WHAT);
        let chance = self.r.optional_int(t, "chance", at, WHAT);
        if let Some(c) = &chance {
            if !(0..=100).contains(&c.value) {
                self.r.problem(c.span.start, "chance is a percentage: between 0 and 100");
            }
        }
        let listed = self.r.optional_ints(t, "rounds", at, WHAT);
        for r in &listed {
            if r.value < 1 || r.value as usize > rounds {
                self.r.problem(
                    r.span.start,
                    format!("round {} does not exist: the scenario has rounds 1 to {rounds}", r.value),
                );
            }
        }
        if chance.is_none() && t.get("rounds").is_some() {
            self.r.problem(at, "`rounds` says when a random event may happen: give its `chance` too");
        }
        let random_rounds = if listed.is_empty() {
            (1..=rounds as u32).collect()
        } else {
            listed.iter().map(|r| r.value.max(0) as u32).collect()
        };
        let choice = self.r.table(t, "choice", WHAT).and_then(|c| self.choice(c, at, index, moves));
        Event {
            id: self.r.string(t, "id", at, WHAT).map(|s| s.value).unwrap_or_default(),
            name: self.text(t, "name", at, WHAT),
            text: self.text(t, "text", at, WHAT),
            essay: self.essay(t, at, WHAT),
            effects: self.effects(t, "effects", WHAT, true),
            random_chance: chance.map_or(0, |c| c.value.clamp(0, 100) as u32),
            random_rounds,
            choice,
        }
    }

    fn choice(&mut self, c: &dyn TableLike, at: usize, event: EventId, moves: &mut [Move]) -> Option<Choice> {
        const WHAT: &str = "a choice";
        self.r.only_keys(c, CHOICE_KEYS, WHAT);
        let role = self.r.string(c, "role", at, WHAT).and_then(|r| self.role_ref(&r))?;
        let names = self.r.strings(c, "moves", at, WHAT);
        let default = self.r.string(c, "default", at, WHAT)?;
        let mut ids = Vec::new();
        for name in &names {
            match self.names.move_of(role, &name.value) {
                Some(m) => {
                    if moves[m].choice_of.is_some() {
                        self.r.problem(
                            name.span.start,
                            format!("move `{}` already answers another event's choice", name.value),
                        );
                    }
                    if !moves[m].targets.is_empty() {
                        self.r.problem(
                            name.span.start,
                            format!("move `{}` answers a choice, so it cannot take a target", name.value),
                        );
                    }
                    moves[m].choice_of = Some(event);
                    ids.push(m);
                }
                None => self.r.problem(
                    name.span.start,
                    format!("role `{}` has no move `{}`", self.names.roles[role.index()], name.value),
                ),
            }
        }
        let default_id = ids.iter().copied().find(|m| moves[*m].id == default.value);
        if default_id.is_none() {
            self.r.problem(
                default.span.start,
                format!("the default `{}` must be one of the choice's moves", default.value),
            );
        }
        if ids.len() < 2 {
            self.r.problem(at, "a choice needs at least two moves to choose from");
        }
        Some(Choice { role, moves: ids, default: default_id? })
    }
}
