//! A text buffer that indents by braces, so generators write code without
//! counting spaces and the output reads like hand-written source.

#[derive(Default)]
pub struct Source {
    text: String,
    indent: usize,
}

impl Source {
    /// Appends `text`, one line at a time: a line starting with a closing
    /// bracket dedents first, a line ending with an opening one indents the
    /// next.
    pub fn push(&mut self, text: &str) {
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                self.text.push('\n');
                continue;
            }
            let comment = trimmed.starts_with("//");
            if !comment
                && (trimmed.starts_with('}')
                    || trimmed.starts_with(')')
                    || trimmed.starts_with(']'))
            {
                self.indent = self.indent.saturating_sub(1);
            }
            for _ in 0..self.indent {
                self.text.push_str("    ");
            }
            self.text.push_str(trimmed);
            self.text.push('\n');
            let opens = !comment
                && (trimmed.ends_with('{') || trimmed.ends_with('(') || trimmed.ends_with('['));
            if opens {
                self.indent += 1;
            }
        }
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

impl std::fmt::Write for Source {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push(s);
        Ok(())
    }
}
