//! The server's own words, per language: what it writes around a scenario's texts in a report's
//! narratives, a headline, a debrief's what-if, the teacher's guide and the offline replay page.
//!
//! Each phrase is a template with `{name}` slots that [`fill`] fills in; a slot is always a
//! scenario text (already in the reader's language), a number or another phrase. The sentences
//! are built so that a name never needs a case ending (mn and ru inflect nouns; a slot
//! stands alone, after a colon or in brackets), and every number stays a numeral. Error frames
//! are not here: they keep their stable `code` and English `message`, and clients translate by
//! code.

use super::Lang;
use crate::engine::order::Illegal;

/// The phrases of one language. Slots: `{role}`, `{move}`, `{target}` (already wrapped by
/// [`Phrases::target`]), `{text}` (the scenario's line, may be empty), `{partners}`, `{reason}`,
/// `{name}`, `{track}`, `{delta}`, `{cost}`, `{left}`, `{actual}`, `{without}`.
#[derive(Debug, serde::Serialize)]
pub struct Phrases {
    #[serde(skip)]
    pub lang: Lang,
    /// An order that succeeded.
    pub succeeded: &'static str,
    /// A forced choice nobody answered, filled in with its default.
    pub automatic: &'static str,
    /// A joint move whose partners did not order their part.
    pub partner_missing: &'static str,
    /// A move whose `requires` was false.
    pub condition_not_met: &'static str,
    /// An order the rules did not allow.
    pub illegal: &'static str,
    /// The target of an order, after the move's name.
    pub target: &'static str,
    /// Between two names in a list of partners.
    pub and: &'static str,
    /// An event's line in a report.
    pub event: &'static str,
    /// One change in a headline.
    pub headline: &'static str,
    /// A report line for an order of a move the scenario does not have.
    pub unknown_order: &'static str,
    /// Why an order was not carried out (one per [`Illegal`] reason).
    pub reasons: Reasons,
    /// The debrief's what-if: "Without …".
    pub what_if: WhatIf,
    /// The teacher's guide: a role's private objective in the ¶ map.
    pub private_objective: &'static str,
    /// A bot's name as a reader sees it: `{role}` is its role's name.
    pub bot: &'static str,
    /// The offline replay page's own labels.
    pub page: Page,
}

#[derive(Debug, serde::Serialize)]
pub struct Reasons {
    pub unknown_move: &'static str,
    pub not_your_role: &'static str,
    pub not_available: &'static str,
    pub too_many_points: &'static str,
    pub missing_target: &'static str,
    pub invalid_target: &'static str,
    pub duplicate: &'static str,
    pub choice_already_made: &'static str,
    pub game_over: &'static str,
}

/// "Without Alba's “Visit” (aimed at X), this would not have happened: Autonomy 5 instead of 7."
#[derive(Debug, serde::Serialize)]
pub struct WhatIf {
    /// `{role}` is the role's name (in English, with its possessive).
    pub without: &'static str,
    pub aimed_at: &'static str,
    pub would_not: &'static str,
    pub would_still: &'static str,
    /// Introduces the list of differences.
    pub colon: &'static str,
    pub difference: &'static str,
    pub separator: &'static str,
    pub end: &'static str,
}

/// The labels of the offline replay page (`export.html`), read by its script.
#[derive(Debug, serde::Serialize)]
pub struct Page {
    pub step_through: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub step: &'static str,
    pub tracks: &'static str,
    pub messages: &'static str,
    pub round_report: &'static str,
    /// `{round}`, `{name}` (the round's name, may be empty).
    pub round_report_of: &'static str,
    pub final_scores: &'static str,
    /// `{lens}`, `{status}`, `{seed}`, `{hash}`.
    pub meta: &'static str,
    pub mismatch: &'static str,
    /// `{round}`, `{message}`.
    pub error_in_round: &'static str,
    /// `{index}`, `{count}`, `{round}`, `{kind}`.
    pub where_: &'static str,
    /// `{role}`.
    pub draft_of: &'static str,
    pub hold: &'static str,
    pub event: &'static str,
    pub nothing_yet: &'static str,
    /// `{stored}`, `{replayed}`.
    pub hash_mismatch: &'static str,
    pub all: &'static str,
    /// After a private track's name.
    pub private: &'static str,
    pub succeeded: &'static str,
    pub failed: &'static str,
    /// The sender of a message from the instructor.
    pub instructor: &'static str,
    /// A round, short: `{round}`.
    pub round_short: &'static str,
    /// What happened at a step, by its `kind`.
    pub kinds: Kinds,
}

/// The replay page's name for each kind of step.
#[derive(Debug, serde::Serialize)]
pub struct Kinds {
    pub started: &'static str,
    pub message: &'static str,
    pub draft: &'static str,
    pub event_injected: &'static str,
    pub round_resolved: &'static str,
    pub ended: &'static str,
    pub reflected: &'static str,
}

/// Fills a template's `{slot}`s; a slot not given stays as written (a bug a test would see).
pub fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + slots.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if slots.iter().any(|(k, _)| *k == name) => {
                if let Some((_, value)) = slots.iter().find(|(k, _)| *k == name) {
                    out.push_str(value);
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Phrases {
    /// Why an order was not carried out, in this language.
    pub fn reason(&self, reason: &Illegal) -> String {
        let r = &self.reasons;
        match reason {
            Illegal::UnknownMove => r.unknown_move.to_string(),
            Illegal::NotYourRole => r.not_your_role.to_string(),
            Illegal::NotAvailable => r.not_available.to_string(),
            Illegal::TooManyPoints { cost, left } => {
                fill(r.too_many_points, &[("cost", &cost.to_string()), ("left", &left.to_string())])
            }
            Illegal::MissingTarget => r.missing_target.to_string(),
            Illegal::InvalidTarget => r.invalid_target.to_string(),
            Illegal::Duplicate => r.duplicate.to_string(),
            Illegal::ChoiceAlreadyMade => r.choice_already_made.to_string(),
            Illegal::GameOver => r.game_over.to_string(),
        }
    }

    /// A role's name as the what-if's `{role}` slot takes it: English says "Alba's".
    pub fn possessive(&self, name: &str) -> String {
        match self.lang {
            Lang::En if name.ends_with('s') => format!("{name}'"),
            Lang::En => format!("{name}'s"),
            _ => name.to_string(),
        }
    }
}

impl Lang {
    /// The server's phrases in this language.
    pub fn phrases(self) -> &'static Phrases {
        match self {
            Lang::En => &EN,
            Lang::Mn => &MN,
            Lang::Ru => &RU,
            Lang::Zh => &ZH,
        }
    }
}

static EN: Phrases = Phrases {
    lang: Lang::En,
    succeeded: "{role}: {move}{target} succeeded. {text}",
    automatic: "{role} gave no answer, so: {move}{target}. {text}",
    partner_missing: "{role}: {move}{target} failed: {partners} did not join in. {text}",
    condition_not_met: "{role}: {move}{target} failed: its condition was not met. {text}",
    illegal: "{role}: {move}{target} was not carried out: {reason}.",
    target: " ({target})",
    and: " and ",
    event: "{name}: {text}",
    headline: "{track} {delta}",
    unknown_order: "unknown order: {reason}",
    reasons: Reasons {
        unknown_move: "this scenario has no such move",
        not_your_role: "that move belongs to another role",
        not_available: "that move cannot be ordered this round",
        too_many_points: "it costs {cost} action point(s) but only {left} were left",
        missing_target: "that move needs a target",
        invalid_target: "that move cannot be aimed at that target",
        duplicate: "the same move was ordered twice",
        choice_already_made: "only one answer to this event's choice may be given",
        game_over: "the game is over",
    },
    what_if: WhatIf {
        without: "Without {role} \u{201c}{move}\u{201d}",
        aimed_at: " (aimed at {target})",
        would_not: ", this would not have happened",
        would_still: ", this would still have happened",
        colon: ": ",
        difference: "{track} {without} instead of {actual}",
        separator: ", ",
        end: ".",
    },
    private_objective: "{name} (private objective)",
    bot: "Bot ({role})",
    page: Page {
        step_through: "Step through the game",
        previous: "Previous step",
        next: "Next step",
        step: "Step",
        tracks: "Tracks",
        messages: "Messages",
        round_report: "Round report",
        round_report_of: "Round {round} report",
        final_scores: "Final scores",
        meta: "View: {lens} · status: {status} · seed {seed} · final state {hash}",
        mismatch: "This replay does not match the stored game:",
        error_in_round: "Round {round}: {message}",
        where_: "Step {index} of {count} · round {round} · {kind}",
        draft_of: "draft of {role}",
        hold: "hold",
        event: "event",
        nothing_yet: "No round resolved yet at this step.",
        hash_mismatch: "State hash mismatch in this round: stored {stored}, replayed {replayed}",
        all: "all",
        private: "private",
        succeeded: "succeeded",
        failed: "failed",
        instructor: "instructor",
        round_short: "R{round}",
        kinds: Kinds {
            started: "started",
            message: "message",
            draft: "draft",
            event_injected: "event brought into play",
            round_resolved: "round resolved",
            ended: "ended",
            reflected: "reflection",
        },
    },
};

static MN: Phrases = Phrases {
    lang: Lang::Mn,
    succeeded: "{role}: {move}{target} амжилттай боллоо. {text}",
    automatic: "{role} хариу өгсөнгүй, тиймээс: {move}{target}. {text}",
    partner_missing: "{role}: {move}{target} бүтсэнгүй: түнш нэгдсэнгүй ({partners}). {text}",
    condition_not_met: "{role}: {move}{target} бүтсэнгүй: нөхцөл нь хангагдсангүй. {text}",
    illegal: "{role}: {move}{target} хэрэгжсэнгүй: {reason}.",
    target: " ({target})",
    and: ", ",
    event: "{name}: {text}",
    headline: "{track} {delta}",
    unknown_order: "үл мэдэгдэх тушаал: {reason}",
    reasons: Reasons {
        unknown_move: "энэ сценарид ийм алхам байхгүй",
        not_your_role: "энэ алхам өөр талынх",
        not_available: "энэ алхмыг энэ тойрогт хийх боломжгүй",
        too_many_points: "үйлдлийн оноо {cost} шаардлагатай байсан ч ердөө {left} үлдсэн байв",
        missing_target: "энэ алхамд зорилт сонгох шаардлагатай",
        invalid_target: "энэ алхмыг тэр зорилт руу чиглүүлэх боломжгүй",
        duplicate: "нэг алхмыг хоёр удаа сонгосон",
        choice_already_made: "энэ үйл явдлын сонголтод зөвхөн нэг хариулт өгч болно",
        game_over: "тоглоом дууссан",
    },
    what_if: WhatIf {
        without: "Хэрэв {role} \u{201c}{move}\u{201d} алхмыг хийгээгүй бол",
        aimed_at: " (зорилт: {target})",
        would_not: ", энэ явдал болохгүй байсан",
        would_still: ", энэ явдал ямар ч байсан болох байсан",
        colon: ": ",
        difference: "{track} {without} байх байсан (бодитоор {actual})",
        separator: ", ",
        end: ".",
    },
    private_objective: "{name} (нууц зорилго)",
    bot: "Бот ({role})",
    page: Page {
        step_through: "Тоглоомыг алхам алхмаар үзэх",
        previous: "Өмнөх алхам",
        next: "Дараагийн алхам",
        step: "Алхам",
        tracks: "Үзүүлэлтүүд",
        messages: "Зурвасууд",
        round_report: "Тойргийн тайлан",
        round_report_of: "{round}-р тойргийн тайлан",
        final_scores: "Эцсийн оноо",
        meta: "Харагдац: {lens} · төлөв: {status} · үр {seed} · эцсийн төлөв {hash}",
        mismatch: "Энэ дахин тоглуулалт хадгалсан тоглоомтой таарахгүй байна:",
        error_in_round: "{round}-р тойрог: {message}",
        where_: "Алхам {index} / {count} · {round}-р тойрог · {kind}",
        draft_of: "ноорог ({role})",
        hold: "хүлээх",
        event: "үйл явдал",
        nothing_yet: "Энэ алхам хүртэл ямар ч тойрог шийдэгдээгүй байна.",
        hash_mismatch: "Энэ тойргийн төлөвийн хэш таарахгүй: хадгалсан {stored}, дахин тооцсон {replayed}",
        all: "бүгд",
        private: "нууц",
        succeeded: "амжилттай",
        failed: "бүтсэнгүй",
        instructor: "багш",
        round_short: "Т{round}",
        kinds: Kinds {
            started: "эхэлсэн",
            message: "зурвас",
            draft: "ноорог",
            event_injected: "үйл явдал нэмэгдсэн",
            round_resolved: "тойрог шийдэгдсэн",
            ended: "дууссан",
            reflected: "эргэцүүлэл",
        },
    },
};

static RU: Phrases = Phrases {
    lang: Lang::Ru,
    succeeded: "{role}: {move}{target} — успешно. {text}",
    automatic: "{role}: ответа не было, поэтому: {move}{target}. {text}",
    partner_missing: "{role}: {move}{target} — не удалось: партнёр не присоединился ({partners}). {text}",
    condition_not_met: "{role}: {move}{target} — не удалось: условие не выполнено. {text}",
    illegal: "{role}: {move}{target} — не выполнено: {reason}.",
    target: " ({target})",
    and: ", ",
    event: "{name}: {text}",
    headline: "{track} {delta}",
    unknown_order: "неизвестный приказ: {reason}",
    reasons: Reasons {
        unknown_move: "в этом сценарии нет такого хода",
        not_your_role: "этот ход принадлежит другой роли",
        not_available: "этот ход нельзя сделать в этом раунде",
        too_many_points: "нужно очков действия: {cost}, а осталось только {left}",
        missing_target: "для этого хода нужна цель",
        invalid_target: "этот ход нельзя направить на эту цель",
        duplicate: "один и тот же ход выбран дважды",
        choice_already_made: "на выбор в этом событии можно дать только один ответ",
        game_over: "игра окончена",
    },
    what_if: WhatIf {
        without: "Без хода \u{ab}{move}\u{bb} ({role})",
        aimed_at: " (цель: {target})",
        would_not: " этого бы не произошло",
        would_still: " это всё равно произошло бы",
        colon: ": ",
        difference: "{track} {without} вместо {actual}",
        separator: ", ",
        end: ".",
    },
    private_objective: "{name} (тайная цель)",
    bot: "Бот ({role})",
    page: Page {
        step_through: "Пошаговый просмотр игры",
        previous: "Предыдущий шаг",
        next: "Следующий шаг",
        step: "Шаг",
        tracks: "Показатели",
        messages: "Сообщения",
        round_report: "Итоги раунда",
        round_report_of: "Итоги раунда {round}",
        final_scores: "Итоговые очки",
        meta: "Вид: {lens} · статус: {status} · зерно {seed} · итоговое состояние {hash}",
        mismatch: "Этот повтор не совпадает с сохранённой игрой:",
        error_in_round: "Раунд {round}: {message}",
        where_: "Шаг {index} из {count} · раунд {round} · {kind}",
        draft_of: "черновик ({role})",
        hold: "пас",
        event: "событие",
        nothing_yet: "К этому шагу ни один раунд ещё не завершён.",
        hash_mismatch: "Хеш состояния в этом раунде не совпадает: сохранён {stored}, пересчитан {replayed}",
        all: "все",
        private: "тайный",
        succeeded: "успешно",
        failed: "не удалось",
        instructor: "преподаватель",
        round_short: "Р{round}",
        kinds: Kinds {
            started: "начало",
            message: "сообщение",
            draft: "черновик",
            event_injected: "событие введено",
            round_resolved: "раунд завершён",
            ended: "конец",
            reflected: "размышление",
        },
    },
};

static ZH: Phrases = Phrases {
    lang: Lang::Zh,
    succeeded: "{role}：{move}{target}成功。{text}",
    automatic: "{role}未作答，因此按默认执行：{move}{target}。{text}",
    partner_missing: "{role}：{move}{target}失败：{partners}没有参与。{text}",
    condition_not_met: "{role}：{move}{target}失败：条件未满足。{text}",
    illegal: "{role}：{move}{target}未执行：{reason}。",
    target: "（{target}）",
    and: "和",
    event: "{name}：{text}",
    headline: "{track} {delta}",
    unknown_order: "未知指令：{reason}",
    reasons: Reasons {
        unknown_move: "本情景中没有这个行动",
        not_your_role: "这个行动属于另一个角色",
        not_available: "本回合不能下达这个行动",
        too_many_points: "需要{cost}点行动点，但只剩{left}点",
        missing_target: "这个行动需要选择目标",
        invalid_target: "这个行动不能指向该目标",
        duplicate: "同一个行动下达了两次",
        choice_already_made: "对这个事件的抉择只能给出一个答案",
        game_over: "游戏已结束",
    },
    what_if: WhatIf {
        without: "如果没有{role}的\u{201c}{move}\u{201d}",
        aimed_at: "（针对{target}）",
        would_not: "，这件事就不会发生",
        would_still: "，这件事仍会发生",
        colon: "：",
        difference: "{track}将是{without}，而不是{actual}",
        separator: "；",
        end: "。",
    },
    private_objective: "{name}（秘密目标）",
    bot: "机器人（{role}）",
    page: Page {
        step_through: "逐步查看本局游戏",
        previous: "上一步",
        next: "下一步",
        step: "步骤",
        tracks: "指标",
        messages: "消息",
        round_report: "回合报告",
        round_report_of: "第{round}回合报告",
        final_scores: "最终得分",
        meta: "视角：{lens} · 状态：{status} · 种子 {seed} · 最终状态 {hash}",
        mismatch: "此回放与保存的游戏不一致：",
        error_in_round: "第{round}回合：{message}",
        where_: "第{index}步，共{count}步 · 第{round}回合 · {kind}",
        draft_of: "{role}的草案",
        hold: "按兵不动",
        event: "事件",
        nothing_yet: "到这一步为止还没有回合结算。",
        hash_mismatch: "本回合状态哈希不一致：保存的为{stored}，重算的为{replayed}",
        all: "所有人",
        private: "秘密",
        succeeded: "成功",
        failed: "失败",
        instructor: "教师",
        round_short: "第{round}回合",
        kinds: Kinds {
            started: "开始",
            message: "消息",
            draft: "草案",
            event_injected: "加入事件",
            round_resolved: "回合结算",
            ended: "结束",
            reflected: "反思",
        },
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_filled_and_unknown_braces_kept() {
        assert_eq!(fill("{a} and {b}", &[("a", "x"), ("b", "{a}")]), "x and {a}");
        assert_eq!(fill("{nope} {a", &[("a", "x")]), "{nope} {a");
        assert_eq!(fill("中文{a}。", &[("a", "х")]), "中文х。");
    }

    /// Every phrase of every language, as (path, template): all the tables' fields, read through
    /// serde so that a phrase added later is covered without touching this test.
    fn every_phrase(lang: Lang) -> Vec<(String, String)> {
        fn walk(path: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        walk(&if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, v, out);
                    }
                }
                serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
                other => panic!("{path}: a phrase is a string, not {other}"),
            }
        }
        let mut out = Vec::new();
        walk("", &serde_json::to_value(lang.phrases()).expect("phrases serialize"), &mut out);
        out
    }

    fn slots(t: &str) -> Vec<String> {
        let mut s: Vec<String> =
            t.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string())).collect();
        s.sort();
        s
    }

    /// Every language has every phrase the English has, none empty where the English is not,
    /// with the very same slots (a translation can reorder them but never drop one: a lost
    /// `{text}` would lose the scenario's line), and in its own words: a phrase with English
    /// words outside its slots is not the English one left untranslated.
    #[test]
    fn every_phrase_is_in_every_language_with_its_slots() {
        let english = every_phrase(Lang::En);
        assert!(english.len() >= 60, "the walk sees every phrase: {}", english.len());
        assert_eq!(Lang::En.phrases().lang, Lang::En);
        for lang in Lang::TRANSLATED {
            assert_eq!(lang.phrases().lang, lang);
            let other = every_phrase(lang);
            let paths = |list: &[(String, String)]| list.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
            assert_eq!(paths(&english), paths(&other), "{lang}");
            for ((name, en), (_, text)) in english.iter().zip(&other) {
                assert_eq!(en.trim().is_empty(), text.trim().is_empty(), "{lang}: {name}: {text:?}");
                assert_eq!(slots(en), slots(text), "{lang}: {name}: {text}");
                let mut words = text.clone();
                for slot in slots(text) {
                    words = words.replace(&format!("{{{slot}}}"), "");
                }
                if words.chars().filter(char::is_ascii_alphabetic).count() > 1 {
                    assert_ne!(en, text, "{lang}: {name} is still in English");
                }
            }
        }
    }
}
