//! A small writer over quick-xml: elements in, indented UTF-8 out, text always escaped.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    pub fn new() -> Self {
        let mut writer = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 2);
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .expect("writing to memory");
        Xml { writer }
    }

    fn write(&mut self, event: Event<'_>) {
        self.writer.write_event(event).expect("writing to memory");
    }

    /// Opens `name` with `attributes`.
    pub fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.write(Event::Start(start));
    }

    pub fn open(&mut self, name: &str) {
        self.open_with(name, &[]);
    }

    pub fn close(&mut self, name: &str) {
        self.write(Event::End(BytesEnd::new(name)));
    }

    /// `<name attributes>text</name>`.
    pub fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.open_with(name, attributes);
        self.write(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    pub fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// `<name/>`.
    pub fn empty(&mut self, name: &str) {
        self.write(Event::Empty(BytesStart::new(name)));
    }

    /// `<outer><inner>text</inner></outer>`.
    pub fn wrapped(&mut self, outer: &str, inner: &str, text: &str) {
        self.open(outer);
        self.leaf(inner, text);
        self.close(outer);
    }

    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}
