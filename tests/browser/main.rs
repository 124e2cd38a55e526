//! The browser tests, in one binary: the real server (the built binary on a free port with a
//! temporary database) and Debian's headless `chromium` driven over the DevTools protocol, as a
//! class would use the bundled client. Helpers first, then a module per scenario of use.

mod cdp;
mod i18n;
mod server;
mod setup;
mod ws_student;

mod class;
mod console;
mod game;
mod keyboard;
mod languages;
mod lesson;
mod replay;
