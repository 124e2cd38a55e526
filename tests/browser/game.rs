//! The web client in a real browser (Debian's `chromium`, headless, driven over the DevTools
//! protocol): a whole tutorial game with four students, the projector and the instructor console.
//! Screenshots of every screen go to `target/screenshots/`.

use crate::cdp;
use crate::setup;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::server::Server;
use cdp::{js, Browser, Page};
use setup::{shots, LAPTOP, PHONE, PROJECTOR};

/// Each student's draft in round 1: (role, move id, move name). The names are the markers that
/// must never appear on another student's page (or the projector) before the round resolves.
const ROUND1: [(&str, &str, &str); 4] = [
    ("mongolia", "reach_out", "Reach out to a third neighbour"),
    ("russia", "energy_offer", "Cheap fuel offer"),
    ("china", "investment", "Invest in a mine"),
    ("us", "english_classes", "English classes"),
];

/// The countdown as seconds (0 when it shows no time left).
const SECONDS_LEFT: &str = "(() => { const m = (document.querySelector('[data-countdown]')?.textContent || '').match(/^(\\d+):(\\d\\d) left$/); return m ? Number(m[1]) * 60 + Number(m[2]) : 0; })()";

/// Joins through the two steps (code, then nickname) and lands on the role choice.
async fn join(page: &Page, base: &str, code: &str, name: &str) {
    setup::join_by_code(page, base, code, name, "[data-choose]").await;
}

/// Whether the page shows this role's order in its draft.
fn has_order(mv: &str) -> String {
    format!("!!document.querySelector('.draft-list [data-order={}]')", js(mv))
}

async fn lock(page: &Page) {
    page.click("#lock").await;
    page.wait_for("the orders to be locked", "!!document.querySelector('#unlock')").await;
}

/// Checks that no page but the instructor's shows another role's pending draft.
async fn no_foreign_drafts(students: &[(&str, &Page)], projector: &Page) {
    for (role, page) in students {
        let html = page.html().await;
        for (other, _, marker) in ROUND1 {
            if other != *role {
                assert!(
                    !html.contains(marker),
                    "[{}] shows {other}'s draft ({marker}) before the round resolved",
                    page.label
                );
            }
        }
    }
    let html = projector.html().await;
    for (role, _, marker) in ROUND1 {
        assert!(!html.contains(marker), "the projector shows {role}'s draft ({marker})");
    }
}

/// The pages of one game: the instructor's console, the projector and the four students.
struct Room {
    base: String,
    dir: PathBuf,
    code: String,
    inst: Page,
    proj: Page,
    ana: Page,
    boris: Page,
    chen: Page,
    dana: Page,
}

impl Room {
    /// The students' pages by role, in `ROUND1`'s order.
    fn students(&self) -> [(&'static str, &Page); 4] {
        [("mongolia", &self.ana), ("russia", &self.boris), ("china", &self.chen), ("us", &self.dana)]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_plays_the_tutorial_in_browsers() {
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage("a_class_plays_the_tutorial_in_browsers").await
    else {
        return;
    };
    let started = Instant::now();

    let inst = browser.page("instructor", LAPTOP.0, LAPTOP.1).await;
    let code = instructor_signs_in_and_creates_a_game(&browser, &server, &base, &inst, &dir).await;
    let proj = projector_shows_the_code(&browser, &base, &code).await;
    let [ana, boris, chen, dana] = students_join_and_take_roles(&browser, &base, &code, &inst, &proj, &dir).await;
    let room = Room { base, dir, code, inst, proj, ana, boris, chen, dana };

    round_1_drafts_are_seen_only_by_their_team_and_the_instructor(&room).await;
    round_1_chat_private_and_public(&room).await;
    round_1_locks_resolve_and_the_report_explains(&room).await;
    round_2_joint_move_dropped_connection_reload_and_controls(&room).await;
    round_3_resolved_early_then_scores_debrief_and_dashboard(&room).await;

    // Nothing went wrong in any page.
    setup::assert_no_console_errors(&browser, &server);
    let elapsed = started.elapsed();
    eprintln!("browser game played in {elapsed:?}; screenshots in {}", room.dir.display());
    browser.close().await;
}

/// The instructor signs in (a wrong key first), loads the source text and creates a game; the
/// browser's WebSocket negotiates compression. Returns the join code.
async fn instructor_signs_in_and_creates_a_game(
    browser: &Browser,
    server: &Server,
    base: &str,
    inst: &Page,
    dir: &Path,
) -> String {
    inst.goto(&format!("{base}/#/instructor")).await;
    inst.wait_for_selector("#instructor-key").await;
    // The browser's WebSocket negotiates compression, and a message it sends (a long one, which
    // Chromium compresses) is read and answered.
    let extensions = inst
        .run(
            "new Promise((resolve, reject) => { \
               const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws'); \
               ws.onerror = () => reject('websocket error'); \
               ws.onopen = () => ws.send(JSON.stringify({ type: 'ping', id: 'p'.repeat(60) + ' '.repeat(4000) })); \
               ws.onmessage = (e) => { const m = JSON.parse(e.data); \
                 if (m.type === 'error' || m.type === 'ack') { ws.close(); resolve([ws.extensions, m.type]); } }; })",
        )
        .await;
    assert_eq!(
        extensions,
        json!(["permessage-deflate; server_no_context_takeover; client_no_context_takeover", "error"]),
        "a 4 KB id is refused in words (bad_request), so the compressed frame was read"
    );
    shots(inst, dir, "instructor-signin", LAPTOP).await;
    inst.type_into("#instructor-key", "ik_not_the_key").await;
    // The wrong key's 401 is expected (and shown in words); then only "/source" 404s are.
    browser.allow_network_errors(&["/source", "/api/sessions"]);
    inst.click("#signin-form button[type=submit]").await;
    inst.wait_for(
        "the wrong key's error in words",
        "document.querySelector('#signin-error .error')?.textContent.includes('not accepted')",
    )
    .await;
    browser.allow_network_errors(&["/source"]);
    inst.type_into("#instructor-key", &server.key).await;
    inst.click("#signin-form button[type=submit]").await;
    inst.select("#source-scenario", "tutorial").await;
    inst.wait_for("the source status", "document.querySelector('#source-status')?.dataset.loaded === '0'").await;
    // A PDF chosen as the essay's file is refused in words, and nothing is stored.
    inst.run(
        "(() => { const dt = new DataTransfer(); \
           dt.items.add(new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x0a, 0x00, 0xe2, 0xe3, 0xcf, 0xd3])], 'essay.pdf')); \
           document.querySelector('#source-file').files = dt.files; return true; })()",
    )
    .await;
    inst.click("#source-form button[type=submit]").await;
    inst.wait_for(
        "the refusal of a file that is not text",
        "document.querySelector('#source-error [data-code=source_not_text]')?.textContent.includes('not plain text')",
    )
    .await;
    assert_eq!(inst.run("document.querySelector('#source-status')?.dataset.loaded").await, "0", "nothing was stored");
    inst.run("document.querySelector('#source-file').value = ''").await;
    inst.type_into("#source-text", &setup::stand_in_source(19)).await;
    inst.click("#source-form button[type=submit]").await;
    inst.wait_for("the source to be loaded", "document.querySelector('#source-status')?.dataset.loaded === '19'").await;
    // How ¶1 and ¶19 begin, for the teacher to check the split against the essay.
    let preview = inst.run("document.querySelector('#source-preview')?.textContent").await;
    let preview = preview.as_str().unwrap_or_default().to_string();
    assert!(
        preview.starts_with("¶1 begins “Stand-in paragraph 1 for the browser tests")
            && preview.contains("¶19 begins “Stand-in paragraph 19 "),
        "{preview}"
    );
    inst.select("#new-scenario", "tutorial").await;
    inst.wait_for_selector("[data-bot=us]").await;
    shots(inst, dir, "instructor-dashboard", LAPTOP).await;
    inst.type_into("#new-minutes", "10").await;
    let (code, _) = setup::create_session(inst).await;
    assert_eq!(code.len(), 8, "an eight-letter join code: {code}");
    inst.wait_for_selector("#students-unreachable").await;
    code
}

/// The projector shows the join code in large type.
async fn projector_shows_the_code(browser: &Browser, base: &str, code: &str) -> Page {
    let proj = browser.page("projector", PROJECTOR.0, PROJECTOR.1).await;
    proj.goto(&format!("{base}/#/projector/{code}")).await;
    proj.wait_for(
        "the code in large type",
        &format!("document.querySelector('.proj-code-value')?.textContent === {}", js(code)),
    )
    .await;
    // This server listens on 127.0.0.1 only: the projector says students' devices cannot reach
    // it, and the flag (with this port) that lets them in.
    let port = base.rsplit(':').next().expect("a port");
    proj.wait_for(
        "the warning that only this computer can open the server",
        &format!("document.querySelector('#students-unreachable')?.textContent.includes('--addr 0.0.0.0:{port}')"),
    )
    .await;
    // A server on every interface that knows no network address of its own (in a container,
    // say) answers `{url: null, this_computer_only: false}`: a page at a loopback address then
    // says that its address opens only here, and shows no QR code of it.
    let unknown = proj
        .run(
            "(async () => { const api = await import('/?asset=api.js'); const w = await import('/?asset=widgets.js'); \
               const real = window.fetch; \
               window.fetch = async () => new Response(JSON.stringify({ url: null, this_computer_only: false }), \
                 { status: 200, headers: { 'Content-Type': 'application/json' } }); \
               await api.loadAddress(); window.fetch = real; \
               const notice = w.studentsUnreachable(); const told = [notice && notice.id, notice && notice.textContent]; \
               await api.loadAddress(); return told; })()",
        )
        .await;
    assert_eq!(unknown[0], "students-address-unknown", "{unknown}");
    assert!(
        unknown[1].as_str().is_some_and(|t| t.contains(&format!("127.0.0.1:{port}")) && t.contains("--public-url")),
        "{unknown}"
    );
    proj
}

/// Four students join on their own devices (a wrong code first) and take the four roles, while
/// the instructor adds and removes a bot and places, then removes, a late fifth student.
async fn students_join_and_take_roles(
    browser: &Browser,
    base: &str,
    code: &str,
    inst: &Page,
    proj: &Page,
    dir: &Path,
) -> [Page; 4] {
    let ana = browser.page("Ana (mongolia, phone)", PHONE.0, PHONE.1).await;
    ana.goto(&format!("{base}/#/")).await;
    ana.wait_for_selector("#code").await;
    shots(&ana, dir, "student-join-code", PHONE).await;
    // A wrong code is refused in words, and the student is back at the code step.
    ana.type_into("#code", "ZZZZZZ").await;
    ana.click("#join-code-form button[type=submit]").await;
    ana.type_into("#nickname", "Ana").await;
    shots(&ana, dir, "student-join-name", PHONE).await;
    ana.click("#join-name-form button[type=submit]").await;
    ana.wait_for(
        "the unknown code in words",
        "document.querySelector('#join-error .error')?.textContent.includes('No game has this code')",
    )
    .await;
    join(&ana, base, code, "Ana").await;

    let boris = browser.page("Boris (russia, laptop)", LAPTOP.0, LAPTOP.1).await;
    // Ana's nickname is hers in this game, whatever its case: refused in words.
    boris.goto(&format!("{base}/#/")).await;
    boris.wait_for_selector("#code").await;
    boris.type_into("#code", code).await;
    boris.click("#join-code-form button[type=submit]").await;
    boris.type_into("#nickname", "ANA").await;
    boris.click("#join-name-form button[type=submit]").await;
    boris
        .wait_for(
            "the taken nickname in words",
            "document.querySelector('#join-error .error')?.textContent.includes('already has that nickname')",
        )
        .await;
    // Still at the nickname: another one is taken.
    boris.type_into("#nickname", "Boris").await;
    boris.click("#join-name-form button[type=submit]").await;
    boris.wait_for_selector("[data-choose]").await;
    let chen = browser.page("Chen (china, laptop)", LAPTOP.0, LAPTOP.1).await;
    join(&chen, base, code, "Chen").await;
    let dana = browser.page("Dana (us, phone)", PHONE.0, PHONE.1).await;
    join(&dana, base, code, "Dana").await;

    ana.click("[data-choose=mongolia]").await;
    boris.click("[data-choose=russia]").await;
    chen.click("[data-choose=china]").await;
    // Seeing who is on each team while choosing.
    dana.wait_for(
        "the teams on the role cards",
        "document.querySelector('.role-card[data-role=russia] .team')?.textContent.includes('Boris')",
    )
    .await;
    shots(&dana, dir, "student-choose-role", PHONE).await;

    // The instructor adds a bot to the empty role, removes it again, and Dana takes the role.
    inst.click("[data-add-bot=us]").await;
    dana.wait_for(
        "the bot on the US card",
        "document.querySelector('.role-card[data-role=us]')?.textContent.includes('Played by a bot')",
    )
    .await;
    inst.wait_for_selector("[data-kick]").await;
    let bot_id = inst
        .run("[...document.querySelectorAll('.live-table tr[data-role=us] [data-kick]')].map(b => b.dataset.kick)[0] || ''")
        .await;
    let bot_id = bot_id.as_str().expect("the bot's player id").to_string();
    assert!(!bot_id.is_empty(), "the bot appears in the live table");
    inst.click(&format!("[data-kick={}]", js(&bot_id))).await;
    dana.click("[data-choose=us]").await;

    // A fifth student joins late and is placed, then removed, by the instructor.
    let eve = browser.page("Eve (late, laptop)", LAPTOP.0, LAPTOP.1).await;
    join(&eve, base, code, "Eve").await;
    let eve_id = inst
        .wait_for("Eve in the table", "[...document.querySelectorAll('.unassigned .player')].find(p => p.textContent.includes('Eve'))?.dataset.player")
        .await;
    let eve_id = eve_id.as_str().expect("Eve's id").to_string();
    inst.select(&format!("[data-assign={}]", js(&eve_id)), "us").await;
    eve.wait_for("Eve's role", "document.querySelector('.role-badge')?.textContent === 'United States'").await;
    inst.click(&format!("[data-kick={}]", js(&eve_id))).await;
    eve.wait_for(
        "Eve told she was removed",
        "document.body.innerText.includes('removed from the game by the instructor')",
    )
    .await;

    for page in [&ana, &boris] {
        page.wait_for("the waiting room", "document.querySelector('.panel-round')?.dataset.mode === 'lobby'").await;
    }
    shots(&ana, dir, "student-lobby", PHONE).await;
    proj.wait_for(
        "everyone on the projector",
        "['Ana','Boris','Chen','Dana'].every(n => document.querySelector('.proj-teams')?.textContent.includes(n))",
    )
    .await;
    proj.screenshot(dir, "projector-lobby-1920").await;
    shots(proj, dir, "projector-lobby", PROJECTOR).await;
    inst.wait_for("all four in the table", "document.querySelectorAll('.live-table .player').length === 4").await;
    shots(inst, dir, "instructor-console-lobby", LAPTOP).await;
    [ana, boris, chen, dana]
}

/// Round 1 starts; each student drafts an order, with points and ¶ buttons shown; the instructor
/// sees every draft, no other page does.
async fn round_1_drafts_are_seen_only_by_their_team_and_the_instructor(room: &Room) {
    let Room { inst, proj, ana, boris, .. } = room;
    let students = room.students();
    inst.click("#ctl-start").await;
    for (_, page) in &students {
        page.wait_for("round 1", "!!document.querySelector('#lock') && document.querySelector('.round-title')?.textContent.startsWith('Round 1')").await;
    }
    for ((role, page), (r, mv, _)) in students.iter().zip(ROUND1) {
        assert_eq!(*role, r);
        page.click(&format!("[data-add={}]", js(mv))).await;
        page.wait_for(&format!("{mv} in the draft"), &has_order(mv)).await;
    }
    // Action points: what is left is the role's points less the order's cost.
    boris.wait_for(
        "the points left",
        "(() => { const cost = parseInt(document.querySelector('.move-card[data-move=energy_offer] .cost').textContent, 10); \
         const total = parseInt(document.querySelector('.ap strong').textContent.split(' of ')[1], 10); \
         return Number(document.querySelector('[data-ap-left]').dataset.apLeft) === total - cost; })()",
    )
    .await;
    // The move card shows the ¶ as a button now that the source text is loaded.
    ana.wait_for("¶ buttons on the move cards", "!!document.querySelector('.move-card .para')").await;

    // The instructor sees every draft; no student and not the projector sees another's.
    for (role, _, marker) in ROUND1 {
        inst.wait_for(
            &format!("{role}'s draft on the console"),
            &format!("document.querySelector('[data-draft={}]')?.textContent.includes({})", js(role), js(marker)),
        )
        .await;
    }
    no_foreign_drafts(&students, proj).await;
}

/// A private message, a public one, unread marks and the screen reader's announcement.
async fn round_1_chat_private_and_public(room: &Room) {
    let Room { dir, inst, proj, ana, boris, chen, dana, .. } = room;
    // Chat: a private message, a public one, and unread marks.
    ana.click(".tab[data-tab=chat]").await;
    ana.click(".thread[data-thread=china]").await;
    ana.type_into("#chat-input", "Shall we sign the trade deal next round?").await;
    ana.click(".compose button[type=submit]").await;
    chen.wait_for(
        "the unread mark on Mongolia's conversation",
        "document.querySelector('.thread[data-thread=mongolia] .unread')?.textContent === '1'",
    )
    .await;
    chen.wait_for(
        "the announcement",
        "(document.getElementById('live')?.textContent || '').includes('New message from Ana (Mongolia)')",
    )
    .await;
    chen.click(".thread[data-thread=mongolia]").await;
    chen.wait_for("the message", "document.querySelector('.messages')?.textContent.includes('trade deal next round')")
        .await;
    chen.type_into("#chat-input", "Yes: both of us order it in round 2.").await;
    chen.click(".compose button[type=submit]").await;
    dana.click(".tab[data-tab=chat]").await;
    dana.type_into("#chat-input", "Hello everyone, the US wants steady relations.").await;
    dana.click(".compose button[type=submit]").await;
    dana.wait_for(
        "Dana's message shown",
        "document.querySelector('.messages')?.textContent.includes('steady relations')",
    )
    .await;
    dana.click(".tab[data-tab=round]").await;
    ana.wait_for("Chen's answer", "document.querySelector('.messages')?.textContent.includes('both of us order it')")
        .await;
    boris
        .wait_for("the public message", "document.querySelector('.messages')?.textContent.includes('steady relations')")
        .await;
    boris.type_into("#chat-input", "Russia is open to talks with everyone.").await;
    boris.click(".compose button[type=submit]").await;
    dana.wait_for(
        "the unread mark on the chat tab",
        "document.querySelector('.tab[data-tab=chat] .unread')?.textContent === '1'",
    )
    .await;
    inst.wait_for(
        "every message on the console",
        "document.querySelector('.console-chat .messages')?.textContent.includes('trade deal next round')",
    )
    .await;
    for page in [boris, dana] {
        let html = page.html().await;
        assert!(!html.contains("trade deal next round"), "[{}] reads a private message", page.label);
    }
    shots(ana, dir, "student-chat", PHONE).await;
    ana.click(".tab[data-tab=round]").await;
    shots(ana, dir, "student-round", PHONE).await;
    shots(boris, dir, "student-round-russia", LAPTOP).await;
    shots(inst, dir, "instructor-console-round", LAPTOP).await;
    for page in [ana, boris, chen, dana, inst, proj] {
        setup::all_labelled(page).await;
    }
}

/// Three roles lock, the projector's lights follow, the fourth lock resolves; the report opens
/// on three lines, shows every role's orders and opens each paragraph.
async fn round_1_locks_resolve_and_the_report_explains(room: &Room) {
    let Room { dir, inst, proj, ana, boris, chen, dana, .. } = room;
    let students = room.students();
    // Locking: three roles lock, the projector's lights follow, the fourth lock resolves.
    for page in [ana, boris, chen] {
        lock(page).await;
    }
    proj.wait_for("three ready lights", "document.querySelectorAll('.ready-chip[data-ready=\"1\"]').length === 3")
        .await;
    proj.screenshot(dir, "projector-round-1920").await;
    no_foreign_drafts(&students, proj).await;
    // The last lock resolves the round at once (the page may never show it locked).
    dana.click("#lock").await;

    for (_, page) in &students {
        page.wait_for_within(
            "the round 1 report",
            "!!document.querySelector('.report[data-round=\"1\"]')",
            Duration::from_secs(20),
        )
        .await;
    }
    proj.wait_for("the report on the projector", "!!document.querySelector('.report[data-round=\"1\"]')").await;
    inst.wait_for("the report on the console", "!!document.querySelector('.report[data-round=\"1\"]')").await;
    // The first screen: three lines on what changed and why.
    let lines = ana
        .run("document.querySelectorAll('.panel-report.active .report[data-round=\"1\"] .summary-line').length")
        .await;
    assert_eq!(lines, 3, "the report starts with three lines");
    let summary = ana.run("document.querySelector('.report-summary').textContent").await;
    assert!(summary.as_str().unwrap_or_default().contains("What changed"), "{summary}");
    // Every role's orders are public now.
    for (role, mv, _) in ROUND1 {
        ana.wait_for(
            &format!("{role}'s order in the report"),
            &format!(
                "!!document.querySelector('.report-role[data-role={}] .outcome[data-move={}].ok')",
                js(role),
                js(mv)
            ),
        )
        .await;
    }
    ana.wait_for(
        "the live region",
        "(document.getElementById('live')?.textContent || '').startsWith('Round 1 resolved')",
    )
    .await;
    shots(ana, dir, "student-report", PHONE).await;
    proj.screenshot(dir, "projector-report-1920").await;
    shots(proj, dir, "projector-report", PROJECTOR).await;
    // The paragraph is one click away.
    boris.click(".report .para").await;
    boris
        .wait_for(
            "the paragraph",
            "document.querySelector('dialog#paragraph[open]')?.textContent.includes('marker-para-')",
        )
        .await;
    shots(boris, dir, "student-paragraph", LAPTOP).await;
    boris.click("dialog#paragraph button").await;
    boris.wait_for("the dialog closed", "!document.querySelector('dialog#paragraph[open]')").await;
}

/// After a reload, the page asked for what the phone already held and got each of the client's
/// files back as an empty 304 (a few hundred bytes of headers each on the classroom's Wi-Fi),
/// and it fetched the student's screens only.
async fn the_reload_fetched_the_students_screens_only_and_each_as_a_304(ana: &Page) {
    let files = ana
        .run(
            "[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')] \
               .filter((e) => e.name.startsWith(location.origin + '/?asset=') || e.entryType === 'navigation') \
               .map((e) => [e.name.replace(location.origin, ''), e.transferSize])",
        )
        .await;
    let files = files.as_array().expect("entries");
    let names: Vec<&str> = files.iter().filter_map(|f| f[0].as_str()).collect();
    assert!(
        names.contains(&"/?asset=student.js") && files.len() > 10,
        "the client's files after the reload: {names:?}"
    );
    // A student's phone fetches the student's screens only, not the instructor's or the projector's.
    for other in ["instructor.js", "projector.js", "stored.js", "replay.js", "class-console.js"] {
        assert!(!names.iter().any(|n| n.ends_with(other)), "a student's page loaded {other}: {names:?}");
    }
    for file in files {
        assert!(file[1].as_u64().is_some_and(|n| n < 1_000), "downloaded again on a reload: {file}");
    }
}

/// A joint move; Ana's connection drops and her phone reloads mid-round with her draft kept;
/// pause, resume and a longer deadline; a refused action shown in words.
async fn round_2_joint_move_dropped_connection_reload_and_controls(room: &Room) {
    let Room { dir, inst, ana, boris, chen, dana, .. } = room;
    let students = room.students();
    for (_, page) in &students {
        page.click("#to-round").await;
        page.wait_for("round 2", "document.querySelector('.round-title')?.textContent.startsWith('Round 2')").await;
    }
    ana.click("[data-add=trade_deal]").await;
    ana.wait_for("the trade deal in Ana's draft", &has_order("trade_deal")).await;
    chen.click("[data-add=trade_deal]").await;
    chen.wait_for("the trade deal in Chen's draft", &has_order("trade_deal")).await;
    ana.click("[data-add=stay_neutral]").await;
    ana.wait_for("the second order", &has_order("stay_neutral")).await;

    // Ana's Wi-Fi drops: the page says so, reconnects by itself and keeps the draft.
    ana.offline(true).await;
    ana.wait_for("the offline banner", "['offline', 'reconnecting'].includes(document.getElementById('status')?.dataset.status) && !document.getElementById('status').hidden").await;
    ana.screenshot(dir, "student-offline-phone").await;
    ana.offline(false).await;
    ana.wait_for("the connection back", "document.getElementById('status')?.hidden === true").await;
    ana.wait_for("Ana's draft after the drop", &has_order("stay_neutral")).await;
    // Ana's phone reloads mid-round: the seat and the draft come back.
    ana.reload().await;
    ana.wait_for("Ana back in round 2", "document.querySelector('.round-title')?.textContent.startsWith('Round 2')")
        .await;
    ana.wait_for("Ana's draft kept", &format!("{} && {}", has_order("trade_deal"), has_order("stay_neutral"))).await;
    ana.wait_for("the chat history", "document.querySelector('.messages')?.textContent.includes('steady relations')")
        .await;
    let badge = ana.run("document.querySelector('.role-badge')?.textContent").await;
    assert_eq!(badge, "Mongolia");
    the_reload_fetched_the_students_screens_only_and_each_as_a_304(ana).await;
    ana.click("[data-order=stay_neutral] button").await;
    ana.wait_for("the order removed", &format!("!{}", has_order("stay_neutral"))).await;

    // Pause, resume, and a longer deadline.
    inst.click("#ctl-pause").await;
    boris.wait_for("the pause notice", "document.body.innerText.includes('paused the game')").await;
    boris
        .wait_for(
            "the paused countdown",
            "document.querySelector('[data-countdown]')?.textContent.startsWith('Paused')",
        )
        .await;
    inst.click("#ctl-resume").await;
    boris.wait_for("running again", "document.querySelector('[data-countdown]')?.textContent.endsWith('left')").await;
    let before = inst.wait_for("the countdown", SECONDS_LEFT).await.as_i64().unwrap_or(0);
    inst.click("#ctl-extend").await;
    inst.wait_for("a longer deadline", &format!("{SECONDS_LEFT} > {}", before + 30)).await;
    // A refused action is shown in words: Boris locks, then a stale button tries to change the
    // locked orders, and the server's `orders_locked` is shown.
    boris.click("[data-add=warn_west]").await;
    boris.wait_for("warn_west", &has_order("warn_west")).await;
    lock(boris).await;
    boris.run("(() => { const b = document.querySelector('[data-add=friendly_visit]'); b.disabled = false; b.click(); })()").await;
    boris
        .wait_for(
            "the refusal in words",
            "document.querySelector('#draft-error .error')?.textContent.includes('locked')",
        )
        .await;
    boris.click("#unlock").await;
    boris.wait_for("unlocked", "!!document.querySelector('#lock')").await;
    boris.click("[data-order=warn_west] button").await;
    boris.wait_for("warn_west removed", &format!("!{}", has_order("warn_west"))).await;
    boris.click("[data-add=friendly_visit]").await;
    boris.wait_for("friendly_visit", &has_order("friendly_visit")).await;
    lock(boris).await;
    lock(ana).await;
    lock(chen).await;
    dana.click("#lock").await;
    for (_, page) in &students {
        page.wait_for_within(
            "the round 2 report",
            "!!document.querySelector('.report[data-round=\"2\"]')",
            Duration::from_secs(20),
        )
        .await;
    }
    ana.wait_for("the joint move succeeded", "!!document.querySelector('.report[data-round=\"2\"] .report-role[data-role=mongolia] .outcome[data-move=trade_deal].ok')").await;
    chen.wait_for("the joint move succeeded for China", "!!document.querySelector('.report[data-round=\"2\"] .report-role[data-role=china] .outcome[data-move=trade_deal].ok')").await;
    shots(boris, dir, "student-report-russia", LAPTOP).await;
}

/// The instructor resolves round 3 before everyone is ready: the final scores everywhere, one
/// click to the debrief, the same scores after a reload, and the game on the dashboard.
async fn round_3_resolved_early_then_scores_debrief_and_dashboard(room: &Room) {
    let Room { base, dir, code, inst, proj, ana, boris, .. } = room;
    let students = room.students();
    for (_, page) in &students {
        page.click("#to-round").await;
        page.wait_for("round 3", "document.querySelector('.round-title')?.textContent.startsWith('Round 3')").await;
    }
    ana.click("[data-add=reach_out]").await;
    ana.wait_for("reach_out", &has_order("reach_out")).await;
    lock(ana).await;
    proj.wait_for("the charts over two rounds", "document.querySelectorAll('.proj-charts .chart .dot').length >= 3 * document.querySelectorAll('.proj-charts .chart').length").await;
    proj.screenshot(dir, "projector-round3-1920").await;
    inst.click("#ctl-force").await;

    for (_, page) in &students {
        page.wait_for_within(
            "the final scores",
            "!!document.querySelector('.panel-scores.active .scores .score')",
            Duration::from_secs(20),
        )
        .await;
    }
    proj.wait_for("the final scores on the projector", "!!document.querySelector('.proj-report .scores')").await;
    inst.wait_for("the final scores on the console", "!!document.querySelector('.console-report .scores')").await;
    let mine = ana.run("document.querySelector('.score.mine .score-role')?.textContent").await;
    assert_eq!(mine, "Mongolia (you)");
    shots(ana, dir, "student-scores", PHONE).await;
    shots(boris, dir, "student-scores-russia", LAPTOP).await;
    proj.screenshot(dir, "projector-scores-1920").await;
    shots(proj, dir, "projector-scores", PROJECTOR).await;
    shots(inst, dir, "instructor-console-over", LAPTOP).await;
    // From the finished game, one click to its debrief.
    inst.click("#open-debrief").await;
    inst.wait_for(
        "the debrief of the game just played",
        "!!document.querySelector('#main:not([aria-busy])') && location.hash.startsWith('#/instructor/debrief/') \
         && document.body.textContent.includes('Final scores')",
    )
    .await;
    boris
        .wait_for("a full game", "document.querySelector('.panel-scores')?.textContent.includes('After 3 rounds')")
        .await;
    // A reload after the end still shows the same scores.
    let scores_js = "[...document.querySelectorAll('.panel-scores .score')].map(e => e.dataset.role + ':' + e.querySelector('.score-points strong').textContent).join(',')";
    let before = ana.run(scores_js).await;
    ana.reload().await;
    let after = ana.wait_for("the scores after a reload", scores_js).await;
    assert_eq!(before, after, "the scores after a reload");
    // The dashboard lists the finished session.
    inst.goto(&format!("{base}/#/instructor")).await;
    inst.wait_for(
        "the session in the list",
        &format!("document.querySelector('.sessions')?.textContent.includes({})", js(code)),
    )
    .await;
}
