//! A small Chrome DevTools Protocol client for the browser tests: launches Debian's `chromium`
//! headless, opens pages in separate browser contexts (each its own localStorage, like separate
//! devices), and drives them with `Runtime.evaluate`. Every console error, uncaught exception and
//! error log entry is recorded, so that a test can fail on any of them.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// What a page logged that a test may not ignore.
#[derive(Debug, Clone)]
pub(crate) struct ConsoleError {
    pub page: String,
    pub text: String,
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.page, self.text)
    }
}

struct Shared {
    pending: Pending,
    out: mpsc::UnboundedSender<String>,
    next: AtomicU64,
    /// Session id → page label.
    labels: Mutex<HashMap<String, String>>,
    errors: Mutex<Vec<ConsoleError>>,
    /// Network errors a test expects (a substring of the URL): not counted as console errors.
    allowed: Mutex<Vec<String>>,
}

/// The `chromium` on the PATH, if any.
pub(crate) fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("chromium")).find(|p| p.is_file())
}

pub(crate) struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    shared: Arc<Shared>,
}

impl Browser {
    /// Starts headless chromium and connects to its DevTools endpoint.
    pub(crate) async fn launch(chromium: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("a temporary profile folder");
        let mut child = Command::new(chromium)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows",
                "--disable-renderer-backgrounding",
                "--disable-dev-shm-usage",
                "--mute-audio",
                "--hide-scrollbars",
                "--font-render-hinting=none",
                // English unless a test asks for another language: the page follows the
                // browser's languages (client/i18n.js), and most tests read English words.
                "--lang=en-US",
                "--accept-lang=en-US",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        // Read "DevTools listening on ws://…" from stderr, then keep draining it (a full pipe
        // would block the browser).
        let stderr = child.stderr.take().expect("chromium's stderr");
        let (url_tx, url_rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if !sent {
                    if let Some(at) = line.find("ws://") {
                        let _ = url_tx.send(line[at..].trim().to_string());
                        sent = true;
                    }
                }
                if std::env::var_os("THIRD_NEIGHBOR_BROWSER_LOG").is_some() {
                    eprintln!("[chromium] {line}");
                }
            }
        });
        let url = match url_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("chromium did not print its DevTools address within 30 s");
            }
        };
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.expect("connect to DevTools");
        let (mut sink, mut stream) = socket.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<String>();
        let shared = Arc::new(Shared {
            pending: Arc::default(),
            out,
            next: AtomicU64::new(1),
            labels: Mutex::default(),
            errors: Mutex::default(),
            allowed: Mutex::default(),
        });
        tokio::spawn(async move {
            while let Some(text) = out_rx.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
        });
        let reader = shared.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                reader.dispatch(value);
            }
            // The browser went away: fail whoever is waiting.
            let waiting: Vec<_> = reader.pending.lock().unwrap().drain().collect();
            for (_, tx) in waiting {
                let _ = tx.send(Err("the browser closed the DevTools connection".into()));
            }
        });
        Browser { child, _profile: profile, shared }
    }

    /// A new page in its own browser context (its own cookies and storage), at this size.
    pub(crate) async fn page(&self, label: &str, width: u32, height: u32) -> Page {
        let context = self.shared.call(None, "Target.createBrowserContext", json!({ "disposeOnDetach": true })).await;
        let context = context["browserContextId"].as_str().expect("browserContextId").to_string();
        let target = self
            .shared
            .call(None, "Target.createTarget", json!({ "url": "about:blank", "browserContextId": context }))
            .await;
        let target_id = target["targetId"].as_str().expect("targetId").to_string();
        let attached =
            self.shared.call(None, "Target.attachToTarget", json!({ "targetId": target_id, "flatten": true })).await;
        let session = attached["sessionId"].as_str().expect("sessionId").to_string();
        self.shared.labels.lock().unwrap().insert(session.clone(), label.to_string());
        let page = Page { shared: self.shared.clone(), session, label: label.to_string() };
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            page.call(domain, json!({})).await;
        }
        page.resize(width, height).await;
        page
    }

    /// Every console error, exception and error log entry so far, from every page.
    pub(crate) fn console_errors(&self) -> Vec<ConsoleError> {
        self.shared.errors.lock().unwrap().clone()
    }

    /// From now on, network errors for URLs containing one of `url_parts` are expected (e.g. a
    /// documented 404) and not counted; every other one is.
    pub(crate) fn allow_network_errors(&self, url_parts: &[&str]) {
        *self.shared.allowed.lock().unwrap() = url_parts.iter().map(|p| p.to_string()).collect();
    }

    pub(crate) async fn close(mut self) {
        let _ =
            tokio::time::timeout(Duration::from_secs(5), self.shared.call_raw(None, "Browser.close", json!({}))).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Shared {
    fn dispatch(&self, value: Value) {
        if let Some(id) = value.get("id").and_then(Value::as_u64) {
            if let Some(tx) = self.pending.lock().unwrap().remove(&id) {
                let result = match value.get("error") {
                    Some(error) => Err(error.to_string()),
                    None => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
                };
                let _ = tx.send(result);
            }
            return;
        }
        let method = value["method"].as_str().unwrap_or_default();
        let params = &value["params"];
        let session = value["sessionId"].as_str().unwrap_or_default();
        let text = match method {
            "Runtime.consoleAPICalled" if matches!(params["type"].as_str(), Some("error" | "assert")) => {
                let args: Vec<String> = params["args"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|v| {
                                v.get("value")
                                    .map(|x| x.to_string())
                                    .or_else(|| v.get("description").map(|x| x.to_string()))
                                    .unwrap_or_default()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(format!("console.{}: {}", params["type"].as_str().unwrap_or("error"), args.join(" ")))
            }
            "Runtime.exceptionThrown" => {
                let details = &params["exceptionDetails"];
                Some(format!(
                    "uncaught: {} {}",
                    details["text"].as_str().unwrap_or_default(),
                    details["exception"]["description"].as_str().unwrap_or_default()
                ))
            }
            "Log.entryAdded" if params["entry"]["level"].as_str() == Some("error") => {
                let entry = &params["entry"];
                let url = entry["url"].as_str().unwrap_or_default();
                let allowed = entry["source"].as_str() == Some("network")
                    && self.allowed.lock().unwrap().iter().any(|part| url.contains(part.as_str()));
                if allowed {
                    None
                } else {
                    Some(format!(
                        "log ({}): {} {}",
                        entry["source"].as_str().unwrap_or_default(),
                        entry["text"].as_str().unwrap_or_default(),
                        url
                    ))
                }
            }
            "Page.javascriptDialogOpening" => {
                Some(format!("a native dialog opened: {}", params["message"].as_str().unwrap_or_default()))
            }
            "Inspector.targetCrashed" => Some("the page crashed".to_string()),
            _ => None,
        };
        if let Some(text) = text {
            let page = self.labels.lock().unwrap().get(session).cloned().unwrap_or_else(|| session.to_string());
            eprintln!("[{page}] {text}");
            self.errors.lock().unwrap().push(ConsoleError { page, text });
        }
    }

    async fn call_raw(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut frame = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            frame["sessionId"] = Value::from(session);
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.out.send(frame.to_string()).map_err(|_| "the DevTools connection is closed".to_string())?;
        match tokio::time::timeout(Duration::from_secs(30), rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("no answer".into()),
            Err(_) => Err(format!("{method}: no answer within 30 s")),
        }
    }

    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        match self.call_raw(session, method, params).await {
            Ok(value) => value,
            Err(e) => panic!("DevTools {method} failed: {e}"),
        }
    }
}

/// One page (a tab) of the browser.
pub(crate) struct Page {
    shared: Arc<Shared>,
    session: String,
    pub label: String,
}

/// A JavaScript string literal for `text`.
pub(crate) fn js(text: &str) -> String {
    Value::from(text).to_string()
}

impl Page {
    pub(crate) async fn call(&self, method: &str, params: Value) -> Value {
        match self.shared.call_raw(Some(&self.session), method, params).await {
            Ok(value) => value,
            Err(e) => panic!("[{}] DevTools {method} failed: {e}", self.label),
        }
    }

    /// Evaluates an expression (awaiting a promise) and returns its value as JSON.
    pub(crate) async fn eval(&self, expression: &str) -> Result<Value, String> {
        let answer = self
            .shared
            .call_raw(
                Some(&self.session),
                "Runtime.evaluate",
                json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            )
            .await?;
        if let Some(details) = answer.get("exceptionDetails") {
            return Err(format!(
                "{} {}",
                details["text"].as_str().unwrap_or_default(),
                details["exception"]["description"].as_str().unwrap_or_default()
            ));
        }
        Ok(answer["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Evaluates and panics on a JavaScript error.
    pub(crate) async fn run(&self, expression: &str) -> Value {
        match self.eval(expression).await {
            Ok(value) => value,
            Err(e) => panic!("[{}] script failed: {e}\n{expression}", self.label),
        }
    }

    /// Waits until `expression` is truthy (polled every 50 ms) and returns its value.
    pub(crate) async fn wait_for(&self, what: &str, expression: &str) -> Value {
        self.wait_for_within(what, expression, Duration::from_secs(15)).await
    }

    pub(crate) async fn wait_for_within(&self, what: &str, expression: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        let mut last_error = String::new();
        loop {
            match self.eval(expression).await {
                Ok(value) if truthy(&value) => return value,
                Ok(_) => {}
                Err(e) => last_error = e,
            }
            if Instant::now() >= deadline {
                let text = self.text().await;
                let shown: String = text.chars().take(1500).collect();
                panic!(
                    "[{}] timed out after {timeout:?} waiting for {what}\n  condition: {expression}\n  last error: {last_error}\n  page text: {shown}",
                    self.label
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for an element to exist.
    pub(crate) async fn wait_for_selector(&self, selector: &str) {
        self.wait_for(&format!("`{selector}`"), &format!("!!document.querySelector({})", js(selector))).await;
    }

    /// The visible text of the page.
    pub(crate) async fn text(&self) -> String {
        self.eval("document.body ? document.body.innerText : ''")
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The whole document, hidden parts included.
    pub(crate) async fn html(&self) -> String {
        self.run("document.documentElement.outerHTML").await.as_str().unwrap_or_default().to_string()
    }

    /// Clicks an element once it exists and is enabled.
    pub(crate) async fn click(&self, selector: &str) {
        let expression = format!(
            "(() => {{ const el = document.querySelector({}); if (!el || el.disabled) return false; \
             el.scrollIntoView({{block: 'center'}}); el.click(); return true; }})()",
            js(selector)
        );
        self.wait_for(&format!("`{selector}` to be clickable"), &expression).await;
    }

    /// Focuses a field, clears it and types `text` (as keyboard input).
    pub(crate) async fn type_into(&self, selector: &str, text: &str) {
        let expression = format!(
            "(() => {{ const el = document.querySelector({}); if (!el || el.disabled) return false; \
             el.focus(); el.value = ''; el.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()",
            js(selector)
        );
        self.wait_for(&format!("`{selector}` to take input"), &expression).await;
        self.call("Input.insertText", json!({ "text": text })).await;
    }

    /// Presses and releases one key, as a keyboard does: `Tab`, `Enter`, `Space`, `ArrowRight`…
    pub(crate) async fn press(&self, key: &str) {
        let (code, key_code, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            "Space" => ("Space", 32, " "),
            "ArrowLeft" => ("ArrowLeft", 37, ""),
            "ArrowRight" => ("ArrowRight", 39, ""),
            other => panic!("no key {other} in Page::press"),
        };
        let key = if key == "Space" { " " } else { key };
        let down =
            json!({ "type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": key_code, "text": text });
        self.call("Input.dispatchKeyEvent", down).await;
        let up = json!({ "type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": key_code });
        self.call("Input.dispatchKeyEvent", up).await;
    }

    /// Types `text` where the focus is, as keyboard input.
    pub(crate) async fn type_here(&self, text: &str) {
        self.call("Input.insertText", json!({ "text": text })).await;
    }

    /// Presses Tab until the focused element matches `selector` (none if it already does), at
    /// most `most` times; fails
    /// naming every element the focus went through when it never gets there (the element is
    /// not in the keyboard's order).
    pub(crate) async fn tab_to(&self, selector: &str, most: usize) {
        let here = format!("!!document.activeElement?.matches({})", js(selector));
        let mut path = Vec::new();
        for _ in 0..=most {
            if self.run(&here).await == Value::Bool(true) {
                return;
            }
            self.press("Tab").await;
            path.push(self.run("(e => e ? e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.innerText || '').slice(0, 30) : 'none')(document.activeElement)").await);
        }
        panic!("[{}] Tab never reached `{selector}` in {most} presses; it went through {path:?}", self.label);
    }

    /// Chooses an option of a `<select>` and fires `change`.
    pub(crate) async fn select(&self, selector: &str, value: &str) {
        let expression = format!(
            "(() => {{ const el = document.querySelector({}); if (!el || el.disabled) return false; \
             if (![...el.options].some(o => o.value === {v})) return false; \
             el.value = {v}; el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
            js(selector),
            v = js(value)
        );
        self.wait_for(&format!("`{selector}` to offer {value}"), &expression).await;
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
        self.wait_for("the page to load", "document.readyState === 'complete'").await;
    }

    pub(crate) async fn reload(&self) {
        // Mark the old document, so that we know when the new one has replaced it.
        self.run("window.__old_document = true").await;
        self.call("Page.reload", json!({})).await;
        self.wait_for("the reload", "!window.__old_document && document.readyState === 'complete'").await;
    }

    /// Cuts the page's network (as a dropped Wi-Fi does), or gives it back.
    pub(crate) async fn offline(&self, offline: bool) {
        self.call("Network.enable", json!({})).await;
        self.call(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
    }

    /// Sets the viewport; phones (narrower than 600 px) are emulated as mobile.
    pub(crate) async fn resize(&self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        )
        .await;
        self.settle().await;
    }

    /// Lets layout and paint catch up (two animation frames, at most 300 ms).
    pub(crate) async fn settle(&self) {
        let _ = self
            .eval(
                "new Promise(r => { requestAnimationFrame(() => requestAnimationFrame(() => r(true))); setTimeout(() => r(true), 300); })",
            )
            .await;
    }

    /// Runs `source` in every document this page loads from now on, before the page's own scripts.
    pub(crate) async fn on_new_document(&self, source: &str) {
        self.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": source })).await;
    }

    /// Makes the page's browser prefer `languages` (`navigator.languages`, first the preferred one),
    /// as a device set up in that language would; and `Intl`'s default locale follows the first.
    pub(crate) async fn emulate_languages(&self, languages: &[&str]) {
        let list = serde_json::to_string(languages).expect("a JSON list");
        self.on_new_document(&format!(
            "Object.defineProperty(Navigator.prototype, 'languages', {{ get: () => {list}, configurable: true }}); \
             Object.defineProperty(Navigator.prototype, 'language', {{ get: () => {list}[0], configurable: true }});"
        ))
        .await;
        if let Some(first) = languages.first() {
            let _ = self
                .shared
                .call_raw(Some(&self.session), "Emulation.setLocaleOverride", json!({ "locale": first }))
                .await;
        }
    }

    /// Writes a PNG of the viewport to `dir/name.png`, after checking the screen for what a screen
    /// reader or voice control would trip on (`setup::reader_problems`): every screen a test shows.
    pub(crate) async fn screenshot(&self, dir: &Path, name: &str) -> PathBuf {
        self.settle().await;
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" })).await;
        let data = shot["data"].as_str().expect("screenshot data");
        let bytes = base64_decode(data);
        assert!(bytes.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        std::fs::create_dir_all(dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write screenshot");
        // Every screen a test shows is also checked for what a screen reader would trip on.
        let problems = crate::setup::reader_problems(self).await;
        assert!(
            problems.is_empty(),
            "[{}] {name}: for screen readers and voice control:\n{}",
            self.label,
            problems.join("\n")
        );
        path
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Standard base64 (what DevTools sends screenshots in).
pub(crate) fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let Some(v) = value(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes() {
        assert_eq!(super::base64_decode("aGVsbG8="), b"hello");
        assert_eq!(super::base64_decode("aGk="), b"hi");
    }
}
