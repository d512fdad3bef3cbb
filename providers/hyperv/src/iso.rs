//! A minimal ISO 9660 image writer: one root directory of small files, with a Joliet tree so
//! that names keep their case and dashes (`user-data`, not `USER_DAT.;1`). Enough for a
//! cloud-init NoCloud seed (FINDINGS §7). Deterministic: fixed dates, files sorted, so the same
//! inputs give the same bytes.

const SECTOR: usize = 2048;
/// Fixed recording date (2000-01-01 00:00 UTC) for reproducible images.
const DATE7: [u8; 7] = [100, 1, 1, 0, 0, 0, 0];

/// One file of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub data: Vec<u8>,
}

fn both16(v: u16) -> [u8; 4] {
    let (l, b) = (v.to_le_bytes(), v.to_be_bytes());
    [l[0], l[1], b[0], b[1]]
}

fn both32(v: u32) -> [u8; 8] {
    let (l, b) = (v.to_le_bytes(), v.to_be_bytes());
    [l[0], l[1], l[2], l[3], b[0], b[1], b[2], b[3]]
}

fn sectors(len: usize) -> usize {
    len.div_ceil(SECTOR)
}

/// A directory record (ECMA-119 9.1).
fn dir_record(id: &[u8], extent: u32, len: u32, dir: bool) -> Vec<u8> {
    let mut r = vec![0u8; 33];
    r[2..10].copy_from_slice(&both32(extent));
    r[10..18].copy_from_slice(&both32(len));
    r[18..25].copy_from_slice(&DATE7);
    r[25] = if dir { 2 } else { 0 };
    r[28..32].copy_from_slice(&both16(1));
    r[32] = id.len() as u8;
    r.extend_from_slice(id);
    if r.len() % 2 == 1 {
        r.push(0);
    }
    r[0] = r.len() as u8;
    r
}

/// A level-1 name: upper case d-characters, 8.3, `;1`.
fn primary_name(name: &str, taken: &mut Vec<Vec<u8>>) -> Vec<u8> {
    let clean = |s: &str, n: usize| -> String {
        s.chars()
            .map(|c| c.to_ascii_uppercase())
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(n)
            .collect()
    };
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let mut base = clean(stem, 8);
    let ext = clean(ext, 3);
    let mut i = 0;
    loop {
        let id = format!("{base}.{ext};1").into_bytes();
        if !taken.contains(&id) {
            taken.push(id.clone());
            return id;
        }
        i += 1;
        let suffix = i.to_string();
        base = format!("{}{suffix}", &clean(stem, 8 - suffix.len()));
    }
}

fn ucs2(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn padded(text: &[u8], len: usize, pad: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = text.iter().copied().take(len).collect();
    while v.len() < len {
        v.extend_from_slice(pad);
    }
    v.truncate(len);
    v
}

/// Why an image cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsoError {
    #[error("the file name `{0}` is not usable in an ISO image (1 to 64 characters, no `/`)")]
    BadName(String),
    #[error("the volume label `{0}` is not 1 to 16 characters of A-Z, a-z, 0-9 or _")]
    BadLabel(String),
    #[error("`{0}` appears twice")]
    Duplicate(String),
}

/// An image with `label` as its volume identifier (upper-cased in the primary descriptor,
/// as given in the Joliet one) holding `files` in its root.
pub fn build(label: &str, files: &[File]) -> Result<Vec<u8>, IsoError> {
    if label.is_empty()
        || label.len() > 16
        || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(IsoError::BadLabel(label.into()));
    }
    let mut files: Vec<&File> = files.iter().collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for w in files.windows(2) {
        if w[0].name == w[1].name {
            return Err(IsoError::Duplicate(w[0].name.clone()));
        }
    }
    for f in &files {
        if f.name.is_empty() || f.name.chars().count() > 64 || f.name.contains(['/', '\0', ';']) {
            return Err(IsoError::BadName(f.name.clone()));
        }
    }
    // Layout: 16 system sectors, PVD, SVD (Joliet), terminator, 4 path tables, 2 root dirs,
    // then the files.
    let (pt_l, pt_m, jpt_l, jpt_m, root, jroot) = (19u32, 20, 21, 22, 23, 24);
    let mut next = 25u32;
    let mut extents = Vec::new();
    for f in &files {
        extents.push(if f.data.is_empty() { 0 } else { next });
        next += sectors(f.data.len()) as u32;
    }
    let total = next;

    let mut taken = Vec::new();
    let mut primary: Vec<(Vec<u8>, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (primary_name(&f.name, &mut taken), i))
        .collect();
    primary.sort();
    let mut joliet: Vec<(Vec<u8>, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (ucs2(&f.name), i))
        .collect();
    joliet.sort();

    let directory = |own: u32, names: &[(Vec<u8>, usize)]| -> Vec<u8> {
        let mut d = Vec::new();
        d.extend(dir_record(&[0], own, SECTOR as u32, true));
        d.extend(dir_record(&[1], own, SECTOR as u32, true));
        for (id, i) in names {
            d.extend(dir_record(
                id,
                extents[*i],
                files[*i].data.len() as u32,
                false,
            ));
        }
        d
    };
    let root_dir = directory(root, &primary);
    let joliet_dir = directory(jroot, &joliet);
    if root_dir.len() > SECTOR || joliet_dir.len() > SECTOR {
        return Err(IsoError::BadName(
            "(too many files for one directory sector)".into(),
        ));
    }

    let path_table = |extent: u32, big: bool| -> Vec<u8> {
        let mut t = vec![1u8, 0];
        t.extend(if big {
            extent.to_be_bytes()
        } else {
            extent.to_le_bytes()
        });
        t.extend(if big {
            1u16.to_be_bytes()
        } else {
            1u16.to_le_bytes()
        });
        t.extend([0, 0]);
        t
    };

    let descriptor = |joliet_sv: bool, root_extent: u32, l: u32, m: u32| -> Vec<u8> {
        let mut d = vec![0u8; SECTOR];
        d[0] = if joliet_sv { 2 } else { 1 };
        d[1..6].copy_from_slice(b"CD001");
        d[6] = 1;
        let text = |s: &str, len: usize| -> Vec<u8> {
            if joliet_sv {
                padded(&ucs2(s), len, &[0, b' '])
            } else {
                padded(s.as_bytes(), len, b" ")
            }
        };
        d[8..40].copy_from_slice(&text("", 32));
        let vol = if joliet_sv {
            label.to_string()
        } else {
            label.to_ascii_uppercase()
        };
        d[40..72].copy_from_slice(&text(&vol, 32));
        d[80..88].copy_from_slice(&both32(total));
        if joliet_sv {
            // UCS-2 level 3.
            d[88..91].copy_from_slice(b"%/E");
        }
        d[120..124].copy_from_slice(&both16(1));
        d[124..128].copy_from_slice(&both16(1));
        d[128..132].copy_from_slice(&both16(SECTOR as u16));
        d[132..140].copy_from_slice(&both32(10));
        d[140..144].copy_from_slice(&l.to_le_bytes());
        d[148..152].copy_from_slice(&m.to_be_bytes());
        d[156..190].copy_from_slice(&dir_record(&[0], root_extent, SECTOR as u32, true));
        for (start, len) in [(190, 128), (318, 128), (446, 128), (574, 128)] {
            d[start..start + len].copy_from_slice(&text("", len));
        }
        d[574..574 + 128].copy_from_slice(&text("INFRA", 128));
        for (start, len) in [(702, 37), (739, 37), (776, 37)] {
            d[start..start + len].copy_from_slice(&text("", len));
        }
        // Dates "not specified": sixteen '0' digits and a zero offset.
        for start in [813, 830, 847, 864] {
            d[start..start + 16].copy_from_slice(&[b'0'; 16]);
        }
        d[881] = 1;
        d
    };

    let mut img = vec![0u8; SECTOR * 16];
    img.extend(descriptor(false, root, pt_l, pt_m));
    img.extend(descriptor(true, jroot, jpt_l, jpt_m));
    let mut term = vec![0u8; SECTOR];
    term[0] = 255;
    term[1..6].copy_from_slice(b"CD001");
    term[6] = 1;
    img.extend(term);
    for (extent, big) in [(root, false), (root, true), (jroot, false), (jroot, true)] {
        img.extend(padded(&path_table(extent, big), SECTOR, &[0]));
    }
    img.extend(padded(&root_dir, SECTOR, &[0]));
    img.extend(padded(&joliet_dir, SECTOR, &[0]));
    for f in &files {
        img.extend_from_slice(&f.data);
        let rest = sectors(f.data.len()) * SECTOR - f.data.len();
        img.extend(std::iter::repeat_n(0u8, rest));
    }
    debug_assert_eq!(img.len(), total as usize * SECTOR);
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_deterministic_and_sized() {
        let files = vec![
            File {
                name: "user-data".into(),
                data: vec![b'x'; 3000],
            },
            File {
                name: "meta-data".into(),
                data: b"instance-id: a\n".to_vec(),
            },
        ];
        let a = build("cidata", &files).expect("image");
        let b = build("cidata", &files).expect("image");
        assert_eq!(a, b);
        assert_eq!(a.len(), (25 + 2 + 1) * SECTOR);
        assert_eq!(&a[16 * SECTOR + 1..16 * SECTOR + 6], b"CD001");
        assert_eq!(&a[16 * SECTOR + 40..16 * SECTOR + 46], b"CIDATA");
        assert!(build("ci data", &files).is_err());
        assert!(build("cidata", &[files[0].clone(), files[0].clone()]).is_err());
    }
}
