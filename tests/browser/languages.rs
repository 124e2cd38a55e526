//! The client in the class's language, in a real browser: the join screen in Mongolian and
//! Chinese from the device's languages (`navigator.languages`) and in Russian from the picker
//! (without a reload, remembered after one); `<html lang>`; no English word of the catalogue on a
//! page in another language (texts, aria labels, titles, announcements); nothing overflowing on a
//! phone; the seat messages carrying `lang`, and `set_lang` when a student changes language in the
//! game; the student's round screen and the instructor's dashboard in each language; and one
//! table of four students in four languages playing a round, each with its moves and report in
//! its own language and the press as typed; and a class run, projected and debriefed with its
//! console in Chinese, its projector in Russian and a student in Mongolian. Screenshots `i18n-*.png` go to `target/screenshots/`.

use crate::cdp;
use crate::i18n;
use crate::setup;

use std::path::Path;

use serde_json::json;

use cdp::{Browser, Page};
use setup::{LAPTOP, PHONE};

/// How each student's language is chosen: (language, role, how).
const STUDENTS: [(&str, &str, How); 3] = [
    ("mn", "mongolia", How::Device(&["mn-MN", "en-US"])),
    ("ru", "russia", How::Picker),
    ("zh", "china", How::Device(&["zh-CN", "zh", "en"])),
];

#[derive(Clone, Copy)]
enum How {
    /// The device's languages (`navigator.languages`).
    Device(&'static [&'static str]),
    /// The join screen's picker, the page starting in English.
    Picker,
}

/// The join screen in `lang`: `<html lang>`, no English, no overflow, a screenshot.
async fn check_join(page: &Page, lang: &str, dir: &std::path::Path) {
    i18n::wait_for_lang(page, lang).await;
    page.wait_for_selector("#join-code-form").await;
    assert_eq!(i18n::html_lang(page).await, lang);
    assert_eq!(
        page.run("document.querySelector('#join-lang').value").await,
        json!(lang),
        "[{}] the picker shows the language in use",
        page.label
    );
    i18n::assert_no_english(page, lang, "the join screen").await;
    i18n::assert_no_overflow(page, "the join screen").await;
    page.screenshot(dir, &format!("i18n-join-{lang}-phone")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_speaks_the_class_language() {
    let Some(setup::Stage { server, base, browser, dir }) = setup::stage("the_client_speaks_the_class_language").await
    else {
        return;
    };
    let students = the_join_screen_in_each_language(&browser, &base, &dir).await;
    // A device in an unknown language gets English; one in Traditional Chinese gets Chinese.
    let other = browser.page("student (de, phone)", PHONE.0, PHONE.1).await;
    other.emulate_languages(&["de-DE", "fr"]).await;
    other.goto(&format!("{base}/#/")).await;
    other.wait_for_selector("#join-code-form").await;
    assert_eq!(i18n::html_lang(&other).await, "en", "no language of the client: English");
    // (The check for English words does find them on an English page.)
    let leaks = i18n::english_on_page(&other, &i18n::english_phrases("zh", &[])).await;
    assert!(leaks.iter().any(|p| p == "Join a game"), "the check finds the English join screen's words: {leaks:?}");
    let taiwan = browser.page("student (zh-TW, phone)", PHONE.0, PHONE.1).await;
    taiwan.emulate_languages(&["zh-TW", "en"]).await;
    taiwan.goto(&format!("{base}/#/")).await;
    i18n::wait_for_lang(&taiwan, "zh").await;

    let inst = setup::signed_in_instructor(&browser, &server, "#create-form").await;
    let code = the_dashboard_in_every_language_then_a_game(&inst, &dir).await;
    each_student_joins_in_their_language(&students, &code).await;
    round_1_on_every_phone(&inst, &students, &dir).await;
    a_student_changes_language_in_the_game(&students).await;
    the_projector_in_mongolian_from_its_picker(&browser, &base, &code, &dir).await;
    the_console_in_russian_asks_the_api_in_russian(&inst, &dir).await;

    // An error frame in words of the language: a Chinese student's order for another role.
    let (_, _, zh) = students.iter().find(|(lang, _, _)| *lang == "zh").expect("the Chinese student");
    let text = zh
        .run(
            "(async () => { const { errorText } = await import('/?asset=dom.js'); \
               return [errorText({ code: 'not_your_role', message: 'that move belongs to another role' }), \
                       errorText({ code: 'invalid_move', detail: 'missing_target', message: 'x' }), \
                       errorText({ code: 'some_new_code', message: 'the server said so' })]; })()",
        )
        .await;
    assert_eq!(
        text,
        json!(["这个行动属于另一个角色。", "这个行动需要选择对象。", "出错了。 (the server said so)"]),
        "known codes from the catalogue (no English), an unknown one with the server's message"
    );

    // Mongolian dates and lists: Chromium lacks their data, and the client does not fall back to
    // English month names or "and".
    let (_, _, mn) = students.iter().find(|(lang, _, _)| *lang == "mn").expect("the Mongolian student");
    let formatted = mn
        .run(
            "(async () => { const i = await import('/?asset=i18n.js'); \
               return [i.dateTime(Date.UTC(2026, 10, 30, 10, 42)), i.list(['Орос', 'Хятад', 'АНУ']), i.plural('class.tables', 3)]; })()",
        )
        .await;
    let date = formatted[0].as_str().unwrap_or_default();
    assert!(
        date.len() == 16 && date.as_bytes()[4] == b'.' && date.as_bytes()[7] == b'.' && date.as_bytes()[13] == b':',
        "a Mongolian date is numeric (YYYY.MM.DD HH:MM): {date}"
    );
    assert_eq!(formatted[1], json!("Орос, Хятад ба АНУ"));
    assert_eq!(formatted[2], json!("3 ширээ"));

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// A student's page: its language, its role, the page.
type Student = (&'static str, &'static str, Page);

/// The join screen on three phones: Mongolian and Chinese from the device's languages, Russian
/// from the picker (no reload, what was typed kept, remembered after a reload).
async fn the_join_screen_in_each_language(browser: &Browser, base: &str, dir: &Path) -> Vec<Student> {
    let mut students = Vec::new();
    for (lang, role, how) in STUDENTS {
        let page = browser.page(&format!("student ({lang}, phone)"), PHONE.0, PHONE.1).await;
        i18n::record_frames(&page).await;
        if let How::Device(languages) = how {
            page.emulate_languages(languages).await;
        }
        page.goto(&format!("{base}/#/")).await;
        page.wait_for_selector("#join-code-form").await;
        if let How::Picker = how {
            // The page starts in English; choosing Russian draws it anew without a reload.
            assert_eq!(i18n::html_lang(&page).await, "en");
            page.type_into("#code", "abc").await;
            page.run("window.__same_document = true").await;
            i18n::pick_language(&page, "#join-lang", lang).await;
            assert_eq!(page.run("window.__same_document === true").await, json!(true), "no reload");
            assert_eq!(page.run("document.querySelector('#code').value").await, json!("abc"), "what was typed stays");
            // And the choice is remembered on this device.
            page.reload().await;
        }
        check_join(&page, lang, dir).await;
        students.push((lang, role, page));
    }
    students
}

/// The instructor's dashboard in every language (the picker in the header); then, in English, a
/// tutorial game with a bot as the United States. Returns its join code.
async fn the_dashboard_in_every_language_then_a_game(inst: &Page, dir: &Path) -> String {
    inst.select("#new-scenario", "tutorial").await;
    inst.wait_for_selector("[data-bot=us]").await;
    for lang in ["mn", "ru", "zh"] {
        i18n::pick_language(inst, "#instructor-lang", lang).await;
        inst.wait_for_selector("#create-form").await;
        inst.wait_for_selector("[data-bot=us]").await;
        inst.wait_for("the scenarios listed", "!!document.querySelector('#scenarios-card [data-guide]')").await;
        i18n::assert_no_english(inst, lang, "the dashboard").await;
        inst.run("window.scrollTo(0, 0)").await;
        inst.screenshot(dir, &format!("i18n-dashboard-{lang}-laptop")).await;
    }
    i18n::pick_language(inst, "#instructor-lang", "en").await;

    // A tutorial game with a bot as the United States.
    inst.select("#new-scenario", "tutorial").await;
    inst.wait_for_selector("[data-bot=us]").await;
    inst.click("[data-bot=us]").await;
    inst.type_into("#new-minutes", "10").await;
    let (code, _) = setup::create_session(inst).await;
    code
}

/// Each student joins in their language, and says it in the `join` frame.
async fn each_student_joins_in_their_language(students: &[Student], code: &str) {
    for (lang, role, page) in students {
        page.type_into("#code", code).await;
        page.click("#join-code-form button[type=submit]").await;
        page.type_into("#nickname", &format!("Student {lang}")).await;
        page.click("#join-name-form button[type=submit]").await;
        page.click(&format!("[data-choose={role}]")).await;
        page.wait_for("the waiting room", "document.querySelector('.panel-round')?.dataset.mode === 'lobby'").await;
        let joins = i18n::sent_frames(page, "join").await;
        assert_eq!(joins.len(), 1, "[{}] one join: {joins:?}", page.label);
        assert_eq!(joins[0]["lang"], json!(lang), "[{}] the join frame says the language", page.label);
        i18n::assert_no_english(page, lang, "the waiting room").await;
    }
}

/// Round 1 on every phone: no English, nothing overflowing, and the five tabs of the end of the
/// game each on one line.
async fn round_1_on_every_phone(inst: &Page, students: &[Student], dir: &Path) {
    inst.click("#ctl-start").await;
    for (lang, _, page) in students {
        page.wait_for("round 1", "!!document.querySelector('#lock') && !!document.querySelector('.move-card')").await;
        assert_eq!(i18n::html_lang(page).await, *lang);
        i18n::assert_no_english(page, lang, "the round").await;
        i18n::assert_no_overflow(page, "the round").await;
        page.run("window.scrollTo(0, 0)").await;
        page.screenshot(dir, &format!("i18n-round-{lang}-phone")).await;
        // After the game a phone has five tabs (Reflect, Brief, Chat, Report, Scores): in every
        // language their words fit, each on one line.
        let widths = page
            .run(
                "(async () => { const i = await import('/?asset=i18n.js'); const bar = document.createElement('div'); \
                   bar.className = 'tabs'; bar.id = 'five-tabs'; \
                   for (const k of ['tab.reflect', 'tab.brief', 'tab.chat', 'tab.report', 'tab.scores']) { \
                     const b = document.createElement('button'); b.className = 'tab'; b.textContent = i.t(k); bar.append(b); } \
                   document.querySelector('.student-main').prepend(bar); \
                   const out = [...bar.children].filter(b => { const r = document.createRange(); r.selectNodeContents(b); \
                     return r.getClientRects().length > 1 || b.scrollWidth > b.clientWidth + 1; }).map(b => b.textContent); \
                   if (bar.scrollWidth > bar.clientWidth + 1) out.push(`the bar: ${bar.scrollWidth}px in ${bar.clientWidth}px`); \
                   return out; })()",
            )
            .await;
        page.screenshot(dir, &format!("i18n-tabs-{lang}-phone")).await;
        page.run("document.getElementById('five-tabs').remove()").await;
        assert_eq!(widths, json!([]), "[{}] tabs whose words do not fit on one line", page.label);
    }
}

/// A student changes language mid-round: `set_lang`, the screen anew without a reload, and the
/// new language in the `resume` after a dropped network; after a server upgrade, a reload into
/// the new language.
async fn a_student_changes_language_in_the_game(students: &[Student]) {
    let (_, _, ru) = students.iter().find(|(lang, _, _)| *lang == "ru").expect("the Russian student");
    ru.run("window.__same_document = true").await;
    let lock_before = ru.run("document.querySelector('#lock').textContent").await;
    i18n::pick_language(ru, "#student-lang", "zh").await;
    ru.wait_for(
        "the lock button in Chinese",
        &format!("document.querySelector('#lock')?.textContent !== {lock_before}"),
    )
    .await;
    assert_eq!(ru.run("window.__same_document === true").await, json!(true), "no reload");
    ru.wait_for("set_lang sent", "(window.__sent || []).some(f => f.type === 'set_lang' && f.lang === 'zh')").await;
    i18n::assert_no_english(ru, "zh", "the round after a change of language").await;
    // The reconnection after a dropped network says the new language in its `resume`.
    ru.offline(true).await;
    ru.wait_for("the status banner", "!document.getElementById('status').hidden").await;
    ru.offline(false).await;
    ru.wait_for("the resume", "(window.__sent || []).some(f => f.type === 'resume' && f.lang === 'zh')").await;
    i18n::pick_language(ru, "#student-lang", "ru").await;
    ru.wait_for("the round again", "!!document.querySelector('#lock')").await;

    // The server was upgraded while the page stayed open (the page's own version is made an
    // older one): a new language reloads the page, which comes back in it, in the game.
    ru.run("document.querySelector('meta[name=\"client-version\"]').content = 'an-older-client'").await;
    i18n::pick_language(ru, "#student-lang", "mn").await;
    ru.wait_for(
        "the game in Mongolian on a reloaded page",
        "window.__same_document === undefined && document.documentElement.lang === 'mn' && !!document.querySelector('#lock')",
    )
    .await;
    i18n::pick_language(ru, "#student-lang", "ru").await;
    ru.wait_for(
        "the round in Russian again",
        "document.documentElement.lang === 'ru' && !!document.querySelector('#lock')",
    )
    .await;
}

/// The projector: `watch` in English, then Mongolian from its picker, telling the server.
async fn the_projector_in_mongolian_from_its_picker(browser: &Browser, base: &str, code: &str, dir: &Path) {
    let proj = browser.page("projector", LAPTOP.0, LAPTOP.1).await;
    i18n::record_frames(&proj).await;
    proj.goto(&format!("{base}/#/projector/{code}")).await;
    proj.wait_for_selector("#projector-lang").await;
    proj.wait_for("the watch frame", "(window.__sent || []).some(f => f.type === 'watch')").await;
    let watch = i18n::sent_frames(&proj, "watch").await;
    assert_eq!(watch.first().map(|w| w["lang"].clone()), Some(json!("en")), "the watch frame says the language");
    i18n::pick_language(&proj, "#projector-lang", "mn").await;
    proj.wait_for("set_lang sent", "(window.__sent || []).some(f => f.type === 'set_lang' && f.lang === 'mn')").await;
    proj.wait_for_selector(".ready-lights").await;
    i18n::assert_no_english(&proj, "mn", "the projector").await;
    proj.screenshot(dir, "i18n-projector-mn-laptop").await;
}

/// The console changes language too, and asks the HTTP API in it.
async fn the_console_in_russian_asks_the_api_in_russian(inst: &Page, dir: &Path) {
    i18n::pick_language(inst, "#instructor-lang", "ru").await;
    inst.wait_for(
        "the scenario asked for in Russian",
        "performance.getEntriesByType('resource').some(e => e.name.includes('/api/scenarios/tutorial?lang=ru'))",
    )
    .await;
    inst.wait_for_selector("#ctl-pause").await;
    i18n::assert_no_english(inst, "ru", "the console").await;
    inst.screenshot(dir, "i18n-console-ru-laptop").await;
}

/// A translated text of the tutorial, from its shipped translation file (`scenarios/tutorial.<lang>.toml`).
fn tutorial_text(lang: &str, key: &str) -> String {
    let path = format!("{}/scenarios/tutorial.{lang}.toml", env!("CARGO_MANIFEST_DIR"));
    let file: toml::Value = toml::from_str(&std::fs::read_to_string(&path).expect("the translation file"))
        .expect("a translation file is TOML");
    file["texts"][key]["text"].as_str().unwrap_or_else(|| panic!("{path}: no text for {key}")).to_string()
}

/// One table, four students, four languages: each plays round 1 of the tutorial in its own
/// language (the moves, the report, the interface), and press stays as it was typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_class_plays_a_round_in_four_languages() {
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage("a_mixed_class_plays_a_round_in_four_languages").await
    else {
        return;
    };
    let inst = setup::signed_in_instructor(&browser, &server, "#create-form").await;
    inst.select("#new-scenario", "tutorial").await;
    inst.wait_for_selector("[data-bot=us]").await;
    inst.type_into("#new-minutes", "10").await;
    let (code, session_id) = setup::create_session(&inst).await;

    // The projector, in Mongolian.
    let proj = browser.page("projector (mn)", LAPTOP.0, LAPTOP.1).await;
    proj.emulate_languages(&["mn"]).await;
    proj.goto(&format!("{base}/#/projector/{code}")).await;
    i18n::wait_for_lang(&proj, "mn").await;

    let pages = four_students_join_each_in_their_language(&browser, &base, &code, &dir).await;
    inst.click("#ctl-start").await;
    round_1_each_orders_from_moves_in_its_language(&pages, &dir).await;
    press_is_shown_as_it_was_typed(&pages).await;
    each_report_is_in_its_readers_language(&pages, &proj, &dir).await;
    the_game_ends_on_every_phone_in_its_language(&inst, &pages, &dir).await;
    the_debrief_reads_in_each_language(&inst, &base, &session_id, &dir).await;

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// A student of the mixed table: language, the device's languages, role, the role's round-1
/// move, its English name.
type MixedSeat = (&'static str, &'static [&'static str], &'static str, &'static str, &'static str);

const MIXED: [MixedSeat; 4] = [
    ("mn", &["mn-MN"], "mongolia", "reach_out", "Reach out to a third neighbour"),
    ("ru", &["ru-RU"], "russia", "energy_offer", "Cheap fuel offer"),
    ("zh", &["zh-CN"], "china", "investment", "Invest in a mine"),
    ("en", &["en-US"], "us", "english_classes", "English classes"),
];

/// A tutorial move's name in `lang`: `english` in English, else its translation file's.
fn move_name(lang: &str, role: &str, mv: &str, english: &str) -> String {
    if lang == "en" {
        english.to_string()
    } else {
        tutorial_text(lang, &format!("moves.{role}.{mv}.name"))
    }
}

/// The four students join on phones set to their languages, each in its own, and take their roles.
async fn four_students_join_each_in_their_language(browser: &Browser, base: &str, code: &str, dir: &Path) -> Vec<Page> {
    let mut pages = Vec::new();
    for (lang, languages, role, _, _) in MIXED {
        let page = browser.page(&format!("student ({lang}, phone)"), PHONE.0, PHONE.1).await;
        page.emulate_languages(languages).await;
        setup::join_by_code(&page, base, code, &format!("Student {lang}"), "[data-choose]").await;
        i18n::wait_for_lang(&page, lang).await;
        page.screenshot(dir, &format!("i18n-mixed-join-{lang}-phone")).await;
        page.click(&format!("[data-choose={role}]")).await;
        page.wait_for("the waiting room", "document.querySelector('.panel-round')?.dataset.mode === 'lobby'").await;
        pages.push(page);
    }
    pages
}

/// Round 1: each sees its own role's moves in its language, and orders one.
async fn round_1_each_orders_from_moves_in_its_language(pages: &[Page], dir: &Path) {
    for (page, (lang, _, role, mv, english)) in pages.iter().zip(MIXED) {
        page.wait_for("round 1", "!!document.querySelector('#lock') && !!document.querySelector('.move-card')").await;
        let card = page.run(&format!("document.querySelector('.move-card[data-move={mv}]')?.textContent || ''")).await;
        let name = move_name(lang, role, mv, english);
        assert!(
            card.as_str().unwrap_or_default().contains(&name),
            "[{}] the move card says {name:?}: {card}",
            page.label
        );
        if lang != "en" {
            i18n::assert_no_english(page, lang, "the round").await;
        }
        page.click(&format!("[data-add={mv}]")).await;
        page.wait_for(
            &format!("{mv} in the draft"),
            &format!("!!document.querySelector('.draft-list [data-order={mv}]')"),
        )
        .await;
        page.run("window.scrollTo(0, 0)").await;
        page.screenshot(dir, &format!("i18n-mixed-round-{lang}-phone")).await;
    }
}

/// Press is shown as it was typed, whatever the reader's language.
async fn press_is_shown_as_it_was_typed(pages: &[Page]) {
    let press = "大家好！Сайн байна уу — let's talk trade.";
    let zh = &pages[2];
    zh.click(".tab[data-tab=chat]").await;
    zh.type_into("#chat-input", press).await;
    zh.click(".compose button[type=submit]").await;
    for page in pages {
        page.wait_for(
            "the message as typed",
            &format!(
                "(() => {{ const t = document.querySelector('.tab[data-tab=chat]'); if (t && !t.classList.contains('active')) t.click(); \
                   return (document.querySelector('.messages')?.textContent || '').includes({}); }})()",
                serde_json::to_string(press).expect("a JSON string")
            ),
        )
        .await;
        page.click(".tab[data-tab=round]").await;
    }
}

/// Everyone locks; the round resolves; each report is in its reader's language, and the
/// projector's in Mongolian.
async fn each_report_is_in_its_readers_language(pages: &[Page], proj: &Page, dir: &Path) {
    for page in pages {
        page.click("#lock").await;
    }
    for (page, (lang, ..)) in pages.iter().zip(MIXED) {
        page.wait_for_within(
            "the round 1 report",
            "!!document.querySelector('.report[data-round=\"1\"]')",
            std::time::Duration::from_secs(20),
        )
        .await;
        let report = page.run("document.querySelector('.report[data-round=\"1\"]').textContent").await;
        let report = report.as_str().unwrap_or_default();
        for (_, _, role, mv, english) in MIXED {
            let name = move_name(lang, role, mv, english);
            assert!(report.contains(&name), "[{}] the report names {role}'s {mv} as {name:?}: {report}", page.label);
        }
        if lang != "en" {
            assert!(!report.contains("Invest in a mine"), "[{}] no English move name in the report", page.label);
            i18n::assert_no_english(page, lang, "the report").await;
        }
        page.run("window.scrollTo(0, 0)").await;
        page.screenshot(dir, &format!("i18n-mixed-report-{lang}-phone")).await;
    }
    proj.wait_for("the report on the projector", "!!document.querySelector('.report[data-round=\"1\"]')").await;
    i18n::assert_no_english(proj, "mn", "the projector").await;
    proj.screenshot(dir, "i18n-mixed-projector-mn-laptop").await;
}

/// Rounds 2 and 3 end by the instructor's hand: the game is over on every phone, in its language.
async fn the_game_ends_on_every_phone_in_its_language(inst: &Page, pages: &[Page], dir: &Path) {
    for round in 2..=3 {
        inst.wait_for(
            &format!("round {round} on the console"),
            &format!("!!document.querySelector('.report[data-round=\"{}\"]') && !document.querySelector('#ctl-force')?.disabled", round - 1),
        )
        .await;
        inst.click("#ctl-force").await;
    }
    for (page, (lang, ..)) in pages.iter().zip(MIXED) {
        page.wait_for_within(
            "the final scores",
            "!!document.querySelector('.panel-scores.active .scores .score')",
            std::time::Duration::from_secs(20),
        )
        .await;
        if lang != "en" {
            i18n::assert_no_english(page, lang, "the final scores").await;
        }
        page.run("window.scrollTo(0, 0)").await;
        page.screenshot(dir, &format!("i18n-mixed-over-{lang}-phone")).await;
    }
}

/// The debrief of the game, read in each language afterwards (the log has none).
async fn the_debrief_reads_in_each_language(inst: &Page, base: &str, session_id: &str, dir: &Path) {
    for lang in ["mn", "ru", "zh", "en"] {
        i18n::pick_language(inst, "#instructor-lang", lang).await;
        inst.goto(&format!("{base}/#/instructor/debrief/{session_id}")).await;
        inst.wait_for(
            "the debrief",
            "!!document.querySelector('#main:not([aria-busy])') && !!document.querySelector('#debrief-memos')",
        )
        .await;
        let text = inst.run("document.querySelector('#main').textContent").await;
        let name = move_name(lang, "china", "investment", "Invest in a mine");
        assert!(text.as_str().unwrap_or_default().contains(&name), "[debrief {lang}] names China's move as {name:?}");
        if lang != "en" {
            i18n::assert_no_english(inst, lang, "the debrief").await;
        }
        inst.run("window.scrollTo(0, 0)").await;
        inst.screenshot(dir, &format!("i18n-mixed-debrief-{lang}-laptop")).await;
    }
}

/// A class of two tables' worth of pages in other languages: the class console in Chinese, the
/// class projector in Russian, a student in Mongolian; run, ended, and debriefed — no English word
/// of the catalogue on any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_is_run_projected_and_debriefed_in_other_languages() {
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage("a_class_is_run_projected_and_debriefed_in_other_languages").await
    else {
        return;
    };
    let inst = setup::signed_in_instructor(&browser, &server, "#class-scenario option").await;
    i18n::pick_language(&inst, "#instructor-lang", "zh").await;
    inst.wait_for_selector("#class-scenario option").await;
    inst.select("#class-scenario", "tutorial").await;
    inst.type_into("#class-students", "2").await;
    inst.type_into("#class-minutes-new", "10").await;
    inst.run("document.querySelector('#class-bots').checked = true").await;
    inst.click("#class-form button[type=submit]").await;
    let code = inst.wait_for("the class code", "document.querySelector('[data-class-code]')?.dataset.classCode").await;
    let code = code.as_str().expect("a class code").to_string();
    inst.wait_for_selector(".class-table").await;
    i18n::assert_no_english(&inst, "zh", "the class console").await;
    inst.screenshot(&dir, "i18n-class-console-zh-laptop").await;

    let proj = browser.page("class projector (ru)", LAPTOP.0, LAPTOP.1).await;
    proj.emulate_languages(&["ru-RU"]).await;
    proj.goto(&format!("{base}/#/projector/{code}")).await;
    proj.wait_for_selector(".class-projector .proj-code-value").await;
    i18n::wait_for_lang(&proj, "ru").await;
    i18n::assert_no_english(&proj, "ru", "the class projector").await;
    proj.screenshot(&dir, "i18n-class-projector-ru-laptop").await;

    let student = browser.page("class student (mn, phone)", PHONE.0, PHONE.1).await;
    student.emulate_languages(&["mn-MN"]).await;
    setup::join_by_code(&student, &base, &code, "Saraa", ".table-badge").await;
    i18n::wait_for_lang(&student, "mn").await;
    i18n::assert_no_english(&student, "mn", "the class student's lobby").await;
    student.screenshot(&dir, "i18n-class-student-lobby-mn-phone").await;

    inst.click("#class-start").await;
    student.wait_for("round 1", "!!document.querySelector('#lock')").await;
    i18n::assert_no_english(&student, "mn", "the class student's round").await;
    inst.click("#class-end").await;
    inst.click("#class-end-yes").await;
    student.wait_for("the scores", "!!document.querySelector('.panel-scores.active .score.mine')").await;
    i18n::assert_no_english(&student, "mn", "the class student's scores").await;
    student.screenshot(&dir, "i18n-class-student-over-mn-phone").await;
    proj.wait_for("the class over", "document.querySelector('.class-projector')?.dataset.phase === 'finished'").await;
    i18n::assert_no_english(&proj, "ru", "the class projector at the end").await;
    proj.screenshot(&dir, "i18n-class-projector-over-ru-laptop").await;

    inst.wait_for("the class over", "document.querySelector('#class-phase')?.dataset.phase === 'finished'").await;
    inst.click("#class-debrief-link").await;
    inst.wait_for("the spread of scores", "document.querySelectorAll('#class-spread-roles tbody tr').length === 4")
        .await;
    i18n::assert_no_english(&inst, "zh", "the class debrief").await;
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(&dir, "i18n-class-debrief-zh-laptop").await;

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}
