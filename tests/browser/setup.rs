//! What every browser test needs first: the browser (or a clear skip), and where screenshots go.

use std::path::{Path, PathBuf};

/// Debian's `chromium`, or `None` when the test should be skipped. Under `CI=true` a missing
/// browser fails the test; elsewhere it fails too, unless `THIRD_NEIGHBOR_SKIP_BROWSER=1`.
pub(crate) fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(path) = super::cdp::find_chromium() {
        return Some(path);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let skip = std::env::var("THIRD_NEIGHBOR_SKIP_BROWSER").is_ok_and(|v| v == "1");
    if ci {
        panic!(
            "{test}: `chromium` is not installed, and under CI a missing browser is a failure (.ci/run installs it)"
        );
    }
    if skip {
        // Straight to stderr (not `eprintln!`), so that the test harness does not hide it.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: `chromium` is not installed and THIRD_NEIGHBOR_SKIP_BROWSER=1 is set"
        );
        return None;
    }
    panic!(
        "{test}: `chromium` is not installed. Install it (`apt-get install chromium`) or set \
         THIRD_NEIGHBOR_SKIP_BROWSER=1 to skip the browser tests"
    );
}

/// `target/screenshots/` (under `CARGO_TARGET_DIR` when it is set).
pub(crate) fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

/// Sizes the issue names: a phone, a Chromebook, a projector.
pub(crate) const PHONE: (u32, u32) = (390, 844);
pub(crate) const LAPTOP: (u32, u32) = (1366, 768);
pub(crate) const PROJECTOR: (u32, u32) = (1920, 1080);

/// Takes the screen as it is scrolled now at phone and at laptop size, then puts the page back
/// to the size `back`.
pub(crate) async fn shots_here(page: &super::cdp::Page, dir: &Path, name: &str, back: (u32, u32)) {
    page.resize(PHONE.0, PHONE.1).await;
    page.screenshot(dir, &format!("{name}-phone")).await;
    page.resize(LAPTOP.0, LAPTOP.1).await;
    page.screenshot(dir, &format!("{name}-laptop")).await;
    if back != LAPTOP {
        page.resize(back.0, back.1).await;
    }
}

/// `shots_here` from the top of the page.
pub(crate) async fn shots(page: &super::cdp::Page, dir: &Path, name: &str, back: (u32, u32)) {
    page.run("window.scrollTo(0, 0)").await;
    shots_here(page, dir, name, back).await;
}

/// What the QR code in a screenshot says, read by Debian's `zbarimg` (as a phone's camera would
/// read the projector). `None`, with a printed reason, where zbar-tools is not installed outside
/// CI; under CI its absence fails the test (`scripts/test` installs it).
pub(crate) fn read_qr(png: &Path) -> Option<String> {
    match std::process::Command::new("zbarimg").args(["-q", "--raw"]).arg(png).output() {
        Ok(out) => {
            assert!(out.status.success(), "zbarimg found no QR code in {}", png.display());
            Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("zbarimg is needed under CI (scripts/test installs zbar-tools): {e}")
        }
        Err(e) => {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "SKIPPED reading the QR code: no zbarimg ({e}); install zbar-tools");
            None
        }
    }
}

/// A stand-in for the essay (the project does not ship it): one line per paragraph, each with a
/// marker the tests look for.
pub(crate) fn stand_in_source(paragraphs: usize) -> String {
    (1..=paragraphs)
        .map(|n| format!("Stand-in paragraph {n} for the browser tests (marker-para-{n}); not the essay's text."))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What every browser test starts from: the real server on a fresh database, headless chromium
/// with the one network error a fresh server gives (no essay loaded: `GET …/source` is a
/// documented 404) allowed, and the screenshot folder. `None` when the test is skipped.
pub(crate) struct Stage {
    pub server: super::server::Server,
    pub base: String,
    pub browser: super::cdp::Browser,
    pub dir: PathBuf,
}

pub(crate) async fn stage(test: &str) -> Option<Stage> {
    stage_with(test, &[]).await
}

/// `stage` with more `serve` flags for the server.
pub(crate) async fn stage_with(test: &str, flags: &[&str]) -> Option<Stage> {
    let chromium = chromium_or_skip(test)?;
    let server = super::server::Server::start_with(flags);
    let base = server.base.clone();
    let browser = super::cdp::Browser::launch(&chromium).await;
    browser.allow_network_errors(&["/source"]);
    Some(Stage { server, base, browser, dir: screenshot_dir() })
}

/// The instructor console on a laptop-sized page, signed in with the server's key, once `ready`
/// (a CSS selector) is on the page.
pub(crate) async fn signed_in_instructor(
    browser: &super::cdp::Browser,
    server: &super::server::Server,
    ready: &str,
) -> super::cdp::Page {
    let page = browser.page("instructor", LAPTOP.0, LAPTOP.1).await;
    page.goto(&format!("{}/#/instructor", server.base)).await;
    page.type_into("#instructor-key", &server.key).await;
    page.click("#signin-form button[type=submit]").await;
    page.wait_for_selector(ready).await;
    page
}

/// Checks that every field has a label, every button, link and disclosure a name (for screen
/// readers), and that the page has a polite live region for what changes.
pub(crate) async fn all_labelled(page: &super::cdp::Page) {
    let unlabelled = page
        .run(
            "(() => { const bad = []; \
             for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) { \
               const ok = (el.id && document.querySelector(`label[for=\"${CSS.escape(el.id)}\"]`)) || el.getAttribute('aria-label') \
                 || el.getAttribute('aria-labelledby') || el.closest('label'); \
               if (!ok) bad.push(el.outerHTML.slice(0, 100)); } \
             for (const el of document.querySelectorAll('button, a[href], summary')) { \
               if (!(el.textContent.trim() || el.getAttribute('aria-label'))) bad.push(el.outerHTML.slice(0, 100)); } \
             if (!document.querySelector('[aria-live=polite]')) bad.push('no live region'); \
             return bad; })()",
        )
        .await;
    assert_eq!(unlabelled, serde_json::json!([]), "[{}] unlabelled controls", page.label);
}

/// What a screen reader, voice control or a keyboard needs of every screen, checked on each
/// screenshot (so every screen the tests visit, at every size): a control whose name is set apart
/// from its words (`aria-label`) still contains the words it shows, so that "click Remove" works
/// by voice (WCAG 2.5.3); list items sit in lists; header cells say what their column holds; a
/// box that scrolls can be scrolled from the keyboard (WCAG 2.1.1); no two landmarks of one kind
/// share a name, so that a reader's list of regions tells them apart. Returns what is wrong, one
/// line each.
pub(crate) async fn reader_problems(page: &super::cdp::Page) -> Vec<String> {
    let found = page.run(READER_PROBLEMS).await;
    serde_json::from_value(found).unwrap_or_else(|e| panic!("[{}] reader check: {e}", page.label))
}

const READER_PROBLEMS: &str = r#"(() => {
  const bad = [];
  const shown = (el) => el.getClientRects().length > 0 && !el.closest('[hidden], [aria-hidden=true]');
  const words = (s) => (s || '').toLowerCase().replace(/[\p{P}\p{S}]/gu, ' ').replace(/\s+/g, ' ').trim();
  const cut = (el) => el.outerHTML.slice(0, 120);
  for (const el of document.querySelectorAll('button[aria-label], a[href][aria-label], summary[aria-label], [role=button][aria-label], [role=tab][aria-label], [role=link][aria-label]')) {
    if (!shown(el)) continue;
    const visible = words(el.innerText);
    if (visible && !words(el.getAttribute('aria-label')).includes(visible)) {
      bad.push(`name ${JSON.stringify(el.getAttribute('aria-label'))} leaves out the words shown, ${JSON.stringify(el.innerText.trim())}: ${cut(el)}`);
    }
  }
  for (const li of document.querySelectorAll('li')) {
    const parent = li.parentElement;
    const role = parent.getAttribute('role');
    const list = ['UL', 'OL', 'MENU'].includes(parent.tagName) ? (!role || role === 'list') : role === 'list';
    if (!list) bad.push(`a list item outside a list: ${cut(parent)}`);
  }
  for (const th of document.querySelectorAll('th')) {
    if (shown(th) && !th.textContent.trim() && !th.getAttribute('aria-label')) bad.push(`an empty header cell: ${cut(th.closest('tr'))}`);
  }
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    const scrolls = (/auto|scroll/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
      || (/auto|scroll/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
    if (scrolls && shown(el) && el.tabIndex < 0 && !el.querySelector('a[href], button, input, select, textarea, summary, [tabindex]')) {
      bad.push(`a box that scrolls but takes no keyboard focus: ${cut(el)}`);
    }
  }
  const nameOf = (el) => el.getAttribute('aria-label')
    || (el.getAttribute('aria-labelledby') || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
  const kinds = { NAV: 'navigation', ASIDE: 'complementary', MAIN: 'main' };
  const landmarks = new Map();
  for (const el of document.querySelectorAll('nav, aside, main, section, form, [role=region], [role=navigation], [role=complementary], [role=search], [role=main]')) {
    if (!shown(el)) continue;
    const name = nameOf(el);
    const role = el.getAttribute('role') || kinds[el.tagName] || (name ? (el.tagName === 'FORM' ? 'form' : 'region') : null);
    if (!role || !['navigation', 'complementary', 'main', 'region', 'form', 'search'].includes(role)) continue;
    const key = `${role} "${name}"`;
    if (landmarks.has(key)) bad.push(`two landmarks are both ${key}: ${cut(el)}`);
    landmarks.set(key, el);
  }
  return bad;
})()"#;

/// A student joins through the two steps (the code, then a nickname), then waits until `ready` (a
/// CSS selector: the role choice for a session, the table's badge for a class) is on the page.
pub(crate) async fn join_by_code(page: &super::cdp::Page, base: &str, code: &str, name: &str, ready: &str) {
    page.goto(&format!("{base}/#/")).await;
    page.type_into("#code", code).await;
    page.click("#join-code-form button[type=submit]").await;
    page.type_into("#nickname", name).await;
    page.click("#join-name-form button[type=submit]").await;
    page.wait_for_selector(ready).await;
}

/// Submits the console's new-session form (filled in by the caller) and waits for the session:
/// its join code and its id (from the dashboard's address).
pub(crate) async fn create_session(inst: &super::cdp::Page) -> (String, String) {
    inst.click("#create-form button[type=submit]").await;
    let code = inst.wait_for("the join code", "document.querySelector('[data-join-code]')?.dataset.joinCode").await;
    let code = code.as_str().expect("a join code").to_string();
    let session_id = inst.run("decodeURIComponent(location.hash.split('/').pop())").await;
    let session_id = session_id.as_str().expect("the session id").to_string();
    (code, session_id)
}

/// Fails the test on any console error, exception or unexpected network error of any page, with
/// the server's log beside them.
pub(crate) fn assert_no_console_errors(browser: &super::cdp::Browser, server: &super::server::Server) {
    let errors = browser.console_errors();
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "console errors:\n{}\nserver log:\n{}", listed.join("\n"), server.log());
}
