//! The byte form of `data/azure-types.bin`, shared by the generator (writing) and the
//! runtime (reading). Every read is bounds-checked: a damaged file is an error, never a panic.
//!
//! File: `AZTY` + format byte, then a table of sections (varint lengths), then the sections,
//! each raw-deflated on its own: section 0 is the index (one row per type/version), the
//! others are chunks (the deduplicated types of one source file), so a lookup inflates
//! only the index and the chunk it needs.

use crate::model::{Prop, TypeDef, TypeIdx};

pub(crate) const MAGIC: &[u8; 4] = b"AZTY";
pub(crate) const FORMAT: u8 = 1;

/// One type/version of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: String,
    pub version: String,
    pub chunk: u32,
    pub body: TypeIdx,
    pub readable: u8,
    pub writable: u8,
}

#[derive(Debug)]
pub(crate) struct DecodeError;

// ---------- writing ----------

#[derive(Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn uint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
    }
    pub fn int(&mut self, v: i64) {
        self.uint(((v << 1) ^ (v >> 63)) as u64);
    }
    pub fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }
    pub fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn opt_uint(&mut self, v: Option<u64>) {
        match v {
            Some(v) => {
                self.byte(1);
                self.uint(v);
            }
            None => self.byte(0),
        }
    }
    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(v) => {
                self.byte(1);
                self.int(v);
            }
            None => self.byte(0),
        }
    }
}

/// Strings of a chunk go through a table: names such as `properties` repeat a lot.
struct Strings {
    index: std::collections::HashMap<String, u64>,
    list: Vec<String>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(id) = self.index.get(s) {
            return *id;
        }
        let id = self.list.len() as u64;
        self.index.insert(s.to_string(), id);
        self.list.push(s.to_string());
        id
    }
}

pub(crate) fn encode_chunk(types: &[TypeDef]) -> Vec<u8> {
    let mut strings = Strings {
        index: Default::default(),
        list: Vec::new(),
    };
    let mut body = Writer::default();
    body.uint(types.len() as u64);
    for t in types {
        encode_type(&mut body, &mut strings, t);
    }
    let mut out = Writer::default();
    out.uint(strings.list.len() as u64);
    for s in &strings.list {
        out.str(s);
    }
    out.buf.extend_from_slice(&body.buf);
    out.buf
}

fn encode_props(w: &mut Writer, s: &mut Strings, props: &[Prop]) {
    w.uint(props.len() as u64);
    for p in props {
        w.uint(s.id(&p.name));
        w.uint(p.ty as u64);
        w.byte(p.flags);
    }
}

fn encode_type(w: &mut Writer, s: &mut Strings, t: &TypeDef) {
    match t {
        TypeDef::Any => w.byte(0),
        TypeDef::Bool => w.byte(1),
        TypeDef::Int { min, max } => {
            w.byte(2);
            w.opt_int(*min);
            w.opt_int(*max);
        }
        TypeDef::String {
            min_len,
            max_len,
            pattern,
            sensitive,
        } => {
            w.byte(3);
            w.opt_uint(*min_len);
            w.opt_uint(*max_len);
            match pattern {
                Some(p) => {
                    w.byte(1);
                    w.uint(s.id(p));
                }
                None => w.byte(0),
            }
            w.byte(u8::from(*sensitive));
        }
        TypeDef::Literal(v) => {
            w.byte(4);
            w.uint(s.id(v));
        }
        TypeDef::Union(items) => {
            w.byte(5);
            w.uint(items.len() as u64);
            items.iter().for_each(|i| w.uint(*i as u64));
        }
        TypeDef::Array {
            item,
            min_len,
            max_len,
        } => {
            w.byte(6);
            w.uint(*item as u64);
            w.opt_uint(*min_len);
            w.opt_uint(*max_len);
        }
        TypeDef::Object {
            name,
            props,
            additional,
            sensitive,
        } => {
            w.byte(7);
            w.uint(s.id(name));
            encode_props(w, s, props);
            w.opt_uint(additional.map(u64::from));
            w.byte(u8::from(*sensitive));
        }
        TypeDef::Discriminated {
            name,
            discriminator,
            base,
            elements,
        } => {
            w.byte(8);
            w.uint(s.id(name));
            w.uint(s.id(discriminator));
            encode_props(w, s, base);
            w.uint(elements.len() as u64);
            for (value, ty) in elements {
                w.uint(s.id(value));
                w.uint(*ty as u64);
            }
        }
    }
}

pub(crate) fn encode_index(entries: &[Entry]) -> Vec<u8> {
    let mut w = Writer::default();
    w.uint(entries.len() as u64);
    let mut last_name = "";
    for e in entries {
        // Versions of one type are adjacent: repeat the name only when it changes.
        if e.name == last_name {
            w.byte(0);
        } else {
            w.byte(1);
            w.str(&e.name);
            last_name = &e.name;
        }
        w.str(&e.version);
        w.uint(e.chunk as u64);
        w.uint(e.body as u64);
        w.byte(e.readable);
        w.byte(e.writable);
    }
    w.buf
}

/// The whole file from the raw (not yet deflated) index and chunks.
pub(crate) fn encode_file(index: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let sections: Vec<Vec<u8>> = std::iter::once(index)
        .chain(chunks.iter().map(Vec::as_slice))
        .map(|raw| miniz_oxide::deflate::compress_to_vec(raw, 10))
        .collect();
    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.byte(FORMAT);
    w.uint(sections.len() as u64);
    for s in &sections {
        w.uint(s.len() as u64);
    }
    for s in &sections {
        w.buf.extend_from_slice(s);
    }
    w.buf
}

// ---------- reading ----------

pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }
    pub fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.data.get(self.pos).ok_or(DecodeError)?;
        self.pos += 1;
        Ok(b)
    }
    pub fn uint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError)
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.uint()?).map_err(|_| DecodeError)
    }
    fn int(&mut self) -> Result<i64, DecodeError> {
        let v = self.uint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError)?;
        let s = self.data.get(self.pos..end).ok_or(DecodeError)?;
        self.pos = end;
        Ok(s)
    }
    fn str(&mut self) -> Result<String, DecodeError> {
        let n = usize::try_from(self.uint()?).map_err(|_| DecodeError)?;
        let b = self.bytes(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| DecodeError)
    }
    fn opt_uint(&mut self) -> Result<Option<u64>, DecodeError> {
        Ok(if self.byte()? == 1 {
            Some(self.uint()?)
        } else {
            None
        })
    }
    fn opt_int(&mut self) -> Result<Option<i64>, DecodeError> {
        Ok(if self.byte()? == 1 {
            Some(self.int()?)
        } else {
            None
        })
    }
    /// A count, bounded by what is left to read, so a damaged count cannot allocate wildly.
    fn count(&mut self) -> Result<usize, DecodeError> {
        let n = usize::try_from(self.uint()?).map_err(|_| DecodeError)?;
        if n > self.data.len() - self.pos.min(self.data.len()) {
            return Err(DecodeError);
        }
        Ok(n)
    }
}

/// Splits the file into its deflated sections (index first).
pub(crate) fn split_file(data: &[u8]) -> Result<Vec<&[u8]>, DecodeError> {
    let mut r = Reader::new(data);
    if r.bytes(4)? != MAGIC || r.byte()? != FORMAT {
        return Err(DecodeError);
    }
    let n = r.count()?;
    let mut lens = Vec::with_capacity(n);
    for _ in 0..n {
        lens.push(usize::try_from(r.uint()?).map_err(|_| DecodeError)?);
    }
    lens.into_iter().map(|len| r.bytes(len)).collect()
}

pub(crate) fn inflate(section: &[u8]) -> Result<Vec<u8>, DecodeError> {
    // The largest chunk inflates to a few MB; the limit only guards against a damaged file.
    miniz_oxide::inflate::decompress_to_vec_with_limit(section, 256 << 20).map_err(|_| DecodeError)
}

pub(crate) fn decode_index(data: &[u8]) -> Result<Vec<Entry>, DecodeError> {
    let mut r = Reader::new(data);
    let n = r.count()?;
    let mut out: Vec<Entry> = Vec::with_capacity(n);
    for _ in 0..n {
        let name = if r.byte()? == 1 {
            r.str()?
        } else {
            out.last().map(|e| e.name.clone()).ok_or(DecodeError)?
        };
        out.push(Entry {
            name,
            version: r.str()?,
            chunk: r.u32()?,
            body: r.u32()?,
            readable: r.byte()?,
            writable: r.byte()?,
        });
    }
    Ok(out)
}

pub(crate) fn decode_chunk(data: &[u8]) -> Result<Vec<TypeDef>, DecodeError> {
    let mut r = Reader::new(data);
    let n = r.count()?;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        strings.push(r.str()?);
    }
    let s = |r: &mut Reader| -> Result<String, DecodeError> {
        let id = usize::try_from(r.uint()?).map_err(|_| DecodeError)?;
        strings.get(id).cloned().ok_or(DecodeError)
    };
    let props = |r: &mut Reader| -> Result<Vec<Prop>, DecodeError> {
        let n = r.count()?;
        (0..n)
            .map(|_| {
                Ok(Prop {
                    name: s(r)?,
                    ty: r.u32()?,
                    flags: r.byte()?,
                })
            })
            .collect()
    };
    let n = r.count()?;
    let mut types = Vec::with_capacity(n);
    for _ in 0..n {
        let t = match r.byte()? {
            0 => TypeDef::Any,
            1 => TypeDef::Bool,
            2 => TypeDef::Int {
                min: r.opt_int()?,
                max: r.opt_int()?,
            },
            3 => TypeDef::String {
                min_len: r.opt_uint()?,
                max_len: r.opt_uint()?,
                pattern: if r.byte()? == 1 {
                    Some(s(&mut r)?)
                } else {
                    None
                },
                sensitive: r.byte()? == 1,
            },
            4 => TypeDef::Literal(s(&mut r)?),
            5 => {
                let n = r.count()?;
                TypeDef::Union((0..n).map(|_| r.u32()).collect::<Result<_, _>>()?)
            }
            6 => TypeDef::Array {
                item: r.u32()?,
                min_len: r.opt_uint()?,
                max_len: r.opt_uint()?,
            },
            7 => TypeDef::Object {
                name: s(&mut r)?,
                props: props(&mut r)?,
                additional: r.opt_uint()?.map(|v| v as u32),
                sensitive: r.byte()? == 1,
            },
            8 => {
                let name = s(&mut r)?;
                let discriminator = s(&mut r)?;
                let base = props(&mut r)?;
                let n = r.count()?;
                let elements = (0..n)
                    .map(|_| Ok((s(&mut r)?, r.u32()?)))
                    .collect::<Result<_, _>>()?;
                TypeDef::Discriminated {
                    name,
                    discriminator,
                    base,
                    elements,
                }
            }
            _ => return Err(DecodeError),
        };
        types.push(t);
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_including_extremes() {
        let mut w = Writer::default();
        for v in [0i64, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            w.int(v);
        }
        let mut r = Reader::new(&w.buf);
        for v in [0i64, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(r.int().unwrap(), v);
        }
    }

    #[test]
    fn damaged_input_is_an_error_not_a_panic() {
        assert!(split_file(b"").is_err());
        assert!(split_file(b"AZTY\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        assert!(decode_chunk(&[5, 1, 2, 3]).is_err());
        assert!(decode_index(&[200, 1]).is_err());
    }
}
