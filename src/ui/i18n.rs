//! The interface language: Simplified Chinese by default, English on request. Texts are written as
//! pairs at the place they are used (`lang.pick("登录", "Log in")`), with the glossary terms of
//! MISSION.md; shared terms live here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Like [`Self::pick`] for texts that are not `'static`.
    pub fn pick_owned(self, zh: &str, en: &str) -> String {
        match self {
            Lang::Zh => zh.to_owned(),
            Lang::En => en.to_owned(),
        }
    }

    pub fn role(self, role: crate::domain::access::Role) -> &'static str {
        match self {
            Lang::Zh => role.label_zh(),
            Lang::En => role.label_en(),
        }
    }
}
