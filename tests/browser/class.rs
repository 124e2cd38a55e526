//! A class in real browsers: the instructor creates a class of 8 from the dashboard, 8 students
//! join by the one class code (five in Chromium pages, three over plain WebSockets), the class
//! projector shows the code and then every table, the class console adds a table, moves a student
//! there (its page follows it), starts every table, and a round is played: the tables that finish
//! first wait (the student's "waiting for the rest of the class" screen), then every table starts
//! round 2 together. The class is ended, its projector shows how each table ended, the class
//! debrief prints, and the stored games list the class as one entry that opens to its tables.
//! Screenshots: `target/screenshots/class-*.png`.

use crate::cdp;
use crate::setup;
use crate::ws_student;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cdp::{js, Browser, Page};
use serde_json::json;
use setup::{LAPTOP, PHONE, PROJECTOR};
use ws_student::WsStudent;

/// The same screen at the three sizes (then back to `back`).
async fn three_sizes(page: &Page, dir: &Path, name: &str, back: (u32, u32)) {
    for (size, (w, h)) in [("laptop", LAPTOP), ("phone", PHONE), ("projector", PROJECTOR)] {
        page.resize(w, h).await;
        page.run("window.scrollTo(0, 0)").await;
        page.screenshot(dir, &format!("{name}-{size}")).await;
    }
    page.resize(back.0, back.1).await;
}

/// A student page's table number and role, from its header.
async fn seat_of(page: &Page) -> (u64, String) {
    let seat = page
        .wait_for(
            "the table and role in the header",
            "(() => { const t = document.querySelector('.table-badge'); const r = document.querySelector('.role-badge'); \
             return t && r ? [Number(t.dataset.table), r.dataset.role] : null; })()",
        )
        .await;
    (seat[0].as_u64().expect("a table number"), seat[1].as_str().expect("a role").to_string())
}

/// A student page orders its role's first move, then locks its orders.
async fn order_and_lock(page: &Page) {
    page.click("[data-add]").await;
    page.wait_for("the order in the draft", "!!document.querySelector('.draft-list [data-order]')").await;
    page.click("#lock").await;
}

/// A console or projector element for table `n` in phase `phase`.
fn table_in(selector: &str, n: u64, phase: &str) -> String {
    format!("!!document.querySelector('{selector}[data-table=\"{n}\"][data-phase=\"{phase}\"]')")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_of_eight_plays_with_one_code() {
    // The address students type, as an operator behind a proxy or with a DNS name sets it.
    let flags = ["--public-url", "http://class.example.test/"];
    let Some(setup::Stage { server, base, browser, dir }) =
        setup::stage_with("a_class_of_eight_plays_with_one_code", &flags).await
    else {
        return;
    };
    let inst = setup::signed_in_instructor(&browser, &server, "#class-scenario option").await;
    let (code, class_id) = the_instructor_creates_a_class_of_eight(&inst, &dir).await;

    // The class projector: the code in large type.
    let proj = browser.page("class projector", PROJECTOR.0, PROJECTOR.1).await;
    proj.goto(&format!("{base}/#/projector/{code}")).await;
    proj.wait_for(
        "the class code in large type",
        &format!("document.querySelector('.class-projector .proj-code-value')?.textContent === {}", js(&code)),
    )
    .await;
    proj.wait_for(
        "the configured address on the projector",
        "document.querySelector('.class-projector .proj-url')?.textContent === 'class.example.test' && !document.querySelector('#students-unreachable')",
    )
    .await;
    // The join link as a QR code, drawn by the server: the class's code on the configured address.
    let link = proj
        .wait_for(
            "the join link's QR code",
            "(() => { const i = document.querySelector('.class-projector .proj-qr img'); \
             return i && i.complete && i.naturalWidth > 0 ? i.dataset.link : null; })()",
        )
        .await;
    assert_eq!(link, format!("http://class.example.test/#/join/{code}"));
    let shot = proj.screenshot(&dir, "class-projector-qr-projector").await;
    if let Some(read) = setup::read_qr(&shot) {
        assert_eq!(read, format!("http://class.example.test/#/join/{code}"), "what a phone's camera reads");
    }

    let (pages, sockets, seats) = eight_students_join_by_the_one_code(&browser, &base, &code, &inst, &proj, &dir).await;
    let mut class = Class { base, dir, code, class_id, inst, proj, pages, sockets, seats };
    let first = a_third_table_and_ana_moved_there(&mut class).await;
    let other = if first == 1 { 2 } else { 1 };
    every_table_starts(&class).await;
    round_1_the_tables_that_finish_first_wait(&class, first, other).await;
    the_last_table_locks_and_every_table_starts_round_2(&class, other).await;
    the_end_of_every_table_shows_on_the_projector(&class).await;
    the_class_debrief_compares_its_tables_and_prints(&class).await;
    the_stored_games_list_the_class_as_one_entry(&class).await;

    setup::assert_no_console_errors(&browser, &server);
    browser.close().await;
}

/// The class's pages and sockets, and who sits where.
struct Class {
    base: String,
    dir: PathBuf,
    code: String,
    class_id: String,
    inst: Page,
    proj: Page,
    /// The five students in Chromium pages, by name; Ana first.
    pages: Vec<(&'static str, Page)>,
    /// The three students over plain WebSockets.
    sockets: Vec<WsStudent>,
    /// Table number → (name, role) of each student seated there.
    seats: BTreeMap<u64, Vec<(String, String)>>,
}

impl Class {
    fn ana(&self) -> &Page {
        &self.pages[0].1
    }

    fn page_of(&self, name: &str) -> Option<&Page> {
        self.pages.iter().find(|(n, _)| *n == name).map(|(_, p)| p)
    }

    fn socket_of(&self, name: &str) -> Option<&WsStudent> {
        self.sockets.iter().find(|s| s.name == name)
    }

    /// The names of the students at `table`.
    fn names_at(&self, table: u64) -> Vec<String> {
        self.seats[&table].iter().map(|(n, _)| n.clone()).collect()
    }
}

/// The instructor creates a class of 8 from the dashboard (the form works out two tables).
/// Returns the class code and id.
async fn the_instructor_creates_a_class_of_eight(inst: &Page, dir: &Path) -> (String, String) {
    inst.select("#class-scenario", "tutorial").await;
    inst.type_into("#class-students", "8").await;
    // 8 students, 4 roles a table: the form asks for 2 tables.
    inst.wait_for("two tables", "document.querySelector('#class-tables').value === '2'").await;
    inst.type_into("#class-minutes-new", "10").await;
    inst.run("document.querySelector('#class-bots').checked = false").await;
    inst.run("document.querySelector('#class-form').scrollIntoView()").await;
    inst.screenshot(dir, "class-create-laptop").await;
    inst.click("#class-form button[type=submit]").await;
    let code = inst.wait_for("the class code", "document.querySelector('[data-class-code]')?.dataset.classCode").await;
    let code = code.as_str().expect("a class code").to_string();
    let class_id = inst.run("decodeURIComponent(location.hash.split('/').pop())").await;
    let class_id = class_id.as_str().expect("the class id").to_string();
    inst.wait_for(
        "the address students type",
        "document.querySelector('.students-host')?.textContent === 'class.example.test' && !document.querySelector('#students-unreachable')",
    )
    .await;
    inst.wait_for(
        "two empty tables",
        "document.querySelectorAll('.class-table').length === 2 && document.querySelector('#class-joined')?.textContent.includes('Nobody')",
    )
    .await;
    setup::all_labelled(inst).await;
    (code, class_id)
}

/// Eight students join by the one code, five in pages and three over sockets: two tables of
/// four, one student per role, shown on the projector and the console.
async fn eight_students_join_by_the_one_code(
    browser: &Browser,
    base: &str,
    code: &str,
    inst: &Page,
    proj: &Page,
    dir: &Path,
) -> (Vec<(&'static str, Page)>, Vec<WsStudent>, BTreeMap<u64, Vec<(String, String)>>) {
    let mut pages = Vec::new();
    for (name, (w, h)) in [("Ana", PHONE), ("Bat", LAPTOP), ("Chen", PHONE), ("Dulma", LAPTOP), ("Erdene", PHONE)] {
        let page = browser.page(&format!("{name} (student)"), w, h).await;
        setup::join_by_code(&page, base, code, name, ".table-badge").await;
        pages.push((name, page));
    }
    let mut sockets = Vec::new();
    for name in ["Fay", "Gan", "Hulan"] {
        sockets.push(WsStudent::join(base, code, name).await);
    }
    // Who sits where: two tables of four, one student per role.
    let mut seats: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
    for (name, page) in &pages {
        let (table, role) = seat_of(page).await;
        seats.entry(table).or_default().push((name.to_string(), role));
    }
    for s in &sockets {
        let state = s.state();
        let role = state["you"]["role"].as_str().expect("a role").to_string();
        seats.entry(s.table()).or_default().push((s.name.clone(), role));
    }
    assert_eq!(seats.keys().copied().collect::<Vec<_>>(), vec![1, 2], "two tables: {seats:?}");
    for (table, seated) in &seats {
        let mut roles: Vec<&str> = seated.iter().map(|(_, r)| r.as_str()).collect();
        roles.sort_unstable();
        assert_eq!(roles, ["china", "mongolia", "russia", "us"], "table {table}: one student per role");
    }
    // The student's page names its table and role, and waits for the start.
    let lobby = pages[0].1.text().await;
    assert!(lobby.contains("Table "), "the student sees its table: {lobby}");
    proj.wait_for("8 joined", "document.querySelector('#class-proj-joined')?.dataset.joined === '8'").await;
    proj.wait_for("the tables so far", "document.querySelectorAll('.class-proj-table').length === 2").await;
    proj.screenshot(dir, "class-projector-lobby-projector").await;
    inst.wait_for(
        "8 joined",
        "document.querySelector('#class-joined')?.textContent.startsWith('8 students have joined')",
    )
    .await;
    for (table, seated) in &seats {
        for (name, role) in seated {
            inst.wait_for(
                &format!("{name} at table {table} as {role}"),
                &format!(
                    "[...document.querySelectorAll('.class-table[data-table=\"{table}\"] tr[data-role={}] .player-name')].some(p => p.textContent === {})",
                    js(role),
                    js(name)
                ),
            )
            .await;
        }
    }
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "class-console-lobby-laptop").await;
    (pages, sockets, seats)
}

/// The console adds a third table and moves Ana there; her page follows, her role kept.
/// Returns the table Ana left.
async fn a_third_table_and_ana_moved_there(class: &mut Class) -> u64 {
    let (inst, dir) = (&class.inst, &class.dir);
    inst.click("#class-add-table").await;
    inst.wait_for("table 3", "document.querySelectorAll('.class-table').length === 3").await;
    let ana = class.ana();
    let (ana_table, ana_role) = seat_of(ana).await;
    let ana_id = inst
        .run(&format!(
            "[...document.querySelectorAll('.class-table[data-table=\"{ana_table}\"] [data-player]')].find(p => p.querySelector('.player-name').textContent === 'Ana').dataset.player"
        ))
        .await;
    let ana_id = ana_id.as_str().expect("Ana's player id").to_string();
    inst.click(&format!("[data-move={}]", js(&ana_id))).await;
    inst.wait_for_selector("#move-dialog[open] #move-table").await;
    inst.select("#move-table", "3").await;
    inst.screenshot(dir, "class-console-move-laptop").await;
    inst.click("#move-submit").await;
    ana.wait_for("Ana at table 3", "document.querySelector('.table-badge')?.dataset.table === '3'").await;
    ana.wait_for(
        "Ana's role kept",
        &format!("document.querySelector('.role-badge')?.dataset.role === {}", js(&ana_role)),
    )
    .await;
    inst.wait_for(
        "Ana at table 3 on the console",
        &format!("!!document.querySelector('.class-table[data-table=\"3\"] [data-player={}]')", js(&ana_id)),
    )
    .await;
    let seats_ana = class.seats.get_mut(&ana_table).expect("Ana's first table");
    seats_ana.retain(|(name, _)| name != "Ana");
    class.seats.insert(3, vec![("Ana".to_string(), ana_role.clone())]);
    ana_table
}

/// Start: every table's round 1 on every page and socket, and on the console.
async fn every_table_starts(class: &Class) {
    let Class { inst, pages, sockets, .. } = class;
    inst.click("#class-start").await;
    for (name, page) in pages {
        page.wait_for(&format!("{name}'s round 1"), "!!document.querySelector('#lock')").await;
    }
    for s in sockets {
        s.wait_for("round 1", |v| v["phase"] == "running" && v["round"] == 1).await;
    }
    inst.wait_for("the class running", "document.querySelector('#class-phase')?.dataset.phase === 'running'").await;
}

/// Round 1: table 3 (Ana) and Ana's first table lock and wait ("waiting for the rest of the
/// class", the report readable) while `other` plays on; the projector names the tables but
/// shows no score and no prompt yet.
async fn round_1_the_tables_that_finish_first_wait(class: &Class, first: u64, other: u64) {
    let Class { dir, inst, proj, .. } = class;
    let ana = class.ana();
    order_and_lock(ana).await;
    ana.wait_for("Ana waiting for the class", "document.querySelector('.panel-round')?.dataset.mode === 'waiting'")
        .await;
    ana.wait_for("the waiting notice", "!!document.querySelector('#waiting-notice')").await;
    // The report stays readable while waiting.
    ana.wait_for("the report of round 1", "!!document.querySelector('.report[data-round=\"1\"]')").await;
    ana.click("[data-tab=round]").await;
    ana.wait_for("the waiting screen", "!!document.querySelector('.panel-round.active #waiting-screen')").await;
    let waiting = ana.text().await;
    assert!(waiting.contains("Waiting for the rest of the class"), "{waiting}");
    assert!(waiting.contains("Table 3"), "{waiting}");
    ana.run("window.scrollTo(0, 0)").await;
    ana.screenshot(dir, "class-student-waiting-phone").await;

    for name in class.names_at(first) {
        if let Some(page) = class.page_of(&name) {
            order_and_lock(page).await;
        } else {
            class.socket_of(&name).expect("a socket").ready();
        }
    }
    inst.wait_for(&format!("table {first} waiting"), &table_in(".class-table", first, "waiting")).await;
    inst.wait_for("table 3 waiting", &table_in(".class-table", 3, "waiting")).await;
    inst.wait_for(&format!("table {other} still playing"), &table_in(".class-table", other, "running")).await;
    // The instructor sees the scores of the tables that resolved; the projector never does.
    inst.wait_for(
        "scores at the waiting table",
        &format!("document.querySelectorAll('.class-table[data-table=\"{first}\"] .class-score').length === 4"),
    )
    .await;
    inst.run("window.scrollTo(0, 0)").await;
    three_sizes(inst, dir, "class-console", LAPTOP).await;

    proj.wait_for(&format!("table {first} waiting"), &table_in(".class-proj-table", first, "waiting")).await;
    proj.wait_for("table 3 waiting", &table_in(".class-proj-table", 3, "waiting")).await;
    proj.wait_for(&format!("table {other} playing"), &table_in(".class-proj-table", other, "running")).await;
    let shown = proj.text().await;
    for n in 1..=3 {
        assert!(shown.contains(&format!("Table {n}")), "the projector names table {n}: {shown}");
    }
    for role in ["Mongolia", "Russia", "China", "United States"] {
        assert!(shown.contains(role), "the projector names {role}: {shown}");
    }
    assert!(shown.contains("Round 1 of 3"), "the class's round: {shown}");
    let prompt = proj.run("document.querySelectorAll('[data-discussion]').length").await;
    assert_eq!(prompt, json!(0), "no prompt until every table has resolved the round");
    let scores = proj.run("document.querySelectorAll('[data-score], .class-score, .scores').length").await;
    assert_eq!(scores, json!(0), "no score on the projector");
    three_sizes(proj, dir, "class-projector", PROJECTOR).await;
}

/// The last table locks: every table starts round 2 together, with one deadline, and round 1's
/// question goes up for the class.
async fn the_last_table_locks_and_every_table_starts_round_2(class: &Class, other: u64) {
    let Class { inst, proj, pages, sockets, .. } = class;
    for name in class.names_at(other) {
        if let Some(page) = class.page_of(&name) {
            page.click("#lock").await;
        } else {
            class.socket_of(&name).expect("a socket").ready();
        }
    }
    for (name, page) in pages {
        page.wait_for(
            &format!("{name}'s round 2"),
            "document.querySelector('.round-title')?.textContent.startsWith('Round 2 of 3') && !!document.querySelector('#lock')",
        )
        .await;
    }
    let mut deadlines = Vec::new();
    for s in sockets {
        let state = s.wait_for("round 2", |v| v["phase"] == "running" && v["round"] == 2).await;
        deadlines.push(state["deadline_at"].clone());
    }
    deadlines.dedup();
    assert_eq!(deadlines.len(), 1, "one clock for the class: {deadlines:?}");
    inst.wait_for(
        "round 2 on the console",
        "document.querySelector('#class-phase')?.textContent.includes('round 2 of 3')",
    )
    .await;
    for n in 1..=3 {
        inst.wait_for(&format!("table {n} in round 2"), &table_in(".class-table", n, "running")).await;
    }
    proj.wait_for("round 2 on the projector", "document.querySelector('.proj-round')?.textContent === 'Round 2 of 3'")
        .await;
    // Every table resolved round 1: the console and the projector put round 1's question to the class.
    for page in [inst, proj] {
        page.wait_for(
            "round 1's discussion prompt",
            "document.querySelector('[data-discussion=\"1\"]')?.textContent.includes('Which move helped')",
        )
        .await;
    }
}

/// Ending the class (asked twice): every student's scores, and how each table ended on the
/// projector, with no links.
async fn the_end_of_every_table_shows_on_the_projector(class: &Class) {
    let Class { dir, inst, proj, pages, .. } = class;
    inst.click("#class-end").await;
    inst.click("#class-end-yes").await;
    for (name, page) in pages {
        page.wait_for(&format!("{name}'s scores"), "!!document.querySelector('.panel-scores.active .score.mine')")
            .await;
    }
    proj.wait_for("the class over", "document.querySelector('.class-projector')?.dataset.phase === 'finished'").await;
    proj.wait_for(
        "every table finished",
        "document.querySelectorAll('.class-proj-table[data-phase=finished]').length === 3",
    )
    .await;
    proj.wait_for(
        "each finished table's tracks, by name",
        "[...document.querySelectorAll('.class-proj-table[data-phase=finished]')].every((t) => \
         t.querySelectorAll('[data-final-tracks] dd').length > 0 && !t.querySelector('[data-final-tracks] dt')?.textContent.match(/^[a-z_]+$/))",
    )
    .await;
    let links = proj.run("document.querySelectorAll('.class-projector a').length").await;
    assert_eq!(links, json!(0), "the projector has no links");
    proj.screenshot(dir, "class-projector-final-projector").await;
    inst.wait_for(
        "the class over on the console",
        "document.querySelector('#class-phase')?.dataset.phase === 'finished'",
    )
    .await;
}

/// The class debrief: the spread of scores and tracks by table, and its print.
async fn the_class_debrief_compares_its_tables_and_prints(class: &Class) {
    let Class { dir, code, inst, .. } = class;
    inst.click("#class-debrief-link").await;
    inst.wait_for("the spread of scores", "document.querySelectorAll('#class-spread-roles tbody tr').length === 4")
        .await;
    let columns = inst
        .run(
            "[...document.querySelectorAll('#compare-scores thead th[data-table] .code-chip')].map(c => c.textContent)",
        )
        .await;
    assert_eq!(columns, json!(["Table 1", "Table 2", "Table 3"]), "the tables by number");
    inst.wait_for("the moves table", "!!document.querySelector('#compare-moves, #compare-moves-title')").await;
    inst.wait_for("the tracks' spread", "document.querySelectorAll('#class-spread-tracks tbody tr').length === 4")
        .await;
    let meta = inst.run("document.querySelector('#class-debrief-meta').textContent").await;
    assert!(meta.as_str().unwrap_or_default().contains(code.as_str()), "the class code on the debrief: {meta}");
    setup::all_labelled(inst).await;
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "class-debrief-laptop").await;
    inst.run("document.querySelector('#compare-scores-title').scrollIntoView()").await;
    inst.screenshot(dir, "class-debrief-tables-laptop").await;
    inst.run("window.__printed = 0; window.print = () => { window.__printed += 1; }").await;
    inst.click("#class-debrief-print").await;
    assert_eq!(inst.run("window.__printed").await, 1, "the Print button prints");
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "print" })).await;
    let hidden = inst.run("getComputedStyle(document.querySelector('.crumbs')).display === 'none'").await;
    assert_eq!(hidden, json!(true), "printing hides the navigation");
    inst.screenshot(dir, "class-debrief-print").await;
    inst.call("Emulation.setEmulatedMedia", json!({ "media": "" })).await;
}

/// The stored games: the class is one entry that opens to its three tables.
async fn the_stored_games_list_the_class_as_one_entry(class: &Class) {
    let Class { base, dir, class_id, inst, .. } = class;
    inst.goto(&format!("{base}/#/instructor/games")).await;
    inst.wait_for_selector(&format!("[data-class-row={}]", js(class_id))).await;
    let hidden_tables = inst
        .run(&format!(
            "document.querySelectorAll('tr.class-table-row[data-class={}]:not([hidden])').length",
            js(class_id)
        ))
        .await;
    assert_eq!(hidden_tables, json!(0), "the class starts closed");
    inst.click(&format!("[data-class-toggle={}]", js(class_id))).await;
    inst.wait_for(
        "the class's three tables",
        &format!(
            "document.querySelectorAll('tr.class-table-row[data-class={}]:not([hidden])').length === 3",
            js(class_id)
        ),
    )
    .await;
    let labels = inst
        .run(&format!(
            "[...document.querySelectorAll('tr.class-table-row[data-class={}] .table-tag')].map(t => t.textContent)",
            js(class_id)
        ))
        .await;
    assert_eq!(labels, json!(["Table 1", "Table 2", "Table 3"]));
    inst.run("window.scrollTo(0, 0)").await;
    inst.screenshot(dir, "class-stored-games-laptop").await;
}
