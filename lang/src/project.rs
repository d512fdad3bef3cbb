//! Loading a project: the root folder's `.infra` files, its `environments/` subfolder, and
//! every module a `module` block names (relative folders or bundled `std/...` modules). This is
//! the only place in the language that reads files.

use crate::diag::{self, Diagnostic};
use crate::span::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// All sources of a run, parsed.
#[derive(Debug, Clone)]
pub struct Project {
    pub sources: SourceMap,
    /// `modules[0]` is the root module; the others in the order they were first named.
    pub modules: Vec<ModuleFiles>,
    /// Syntax errors and load errors (E0204), in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The files of one module (one folder).
#[derive(Debug, Clone)]
pub struct ModuleFiles {
    pub location: ModuleLocation,
    pub files: Vec<(FileId, Arc<ast::File>)>,
    /// Source string of each `module` block in this module -> index in `Project::modules`.
    /// A source that names no module is absent (and reported as E0204).
    pub imports: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModuleLocation {
    /// A folder (lexically normalised, not canonicalised: sources may live in memory).
    Dir(PathBuf),
    /// A module bundled with the tool, e.g. `std/naming`.
    Bundled(String),
}

impl ModuleLocation {
    fn display(&self) -> String {
        match self {
            ModuleLocation::Dir(p) => p.display().to_string(),
            ModuleLocation::Bundled(s) => s.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{0}` is not a folder")]
    NotAFolder(PathBuf),
    #[error("no `.infra` sources given")]
    Empty,
    #[error("no `.infra` files in `{0}`")]
    NoSources(PathBuf),
}

/// Where module folders are listed from: the disk, or a set of files held in memory (tests,
/// the language server with unsaved buffers).
enum Files {
    Disk,
    Memory(BTreeMap<PathBuf, Vec<(PathBuf, String)>>),
    /// The disk, with some files' text replaced (or added) by the given one: an editor's
    /// unsaved buffers. Keys are normalised paths.
    Overlay(BTreeMap<PathBuf, String>),
}

impl Files {
    /// The `.infra` files directly in `dir`, sorted by path; `None` if the folder does not exist.
    fn list(&self, dir: &Path) -> Result<Listing, LoadError> {
        match self {
            Files::Memory(map) => Ok(map.get(dir).cloned()),
            Files::Overlay(texts) => {
                let normal = normalize(dir);
                let open: BTreeMap<&PathBuf, &String> = texts
                    .iter()
                    .filter(|(p, _)| p.parent() == Some(normal.as_path()))
                    .filter(|(p, _)| p.extension().is_some_and(|e| e == "infra"))
                    .collect();
                // An open file's text on disk is not read: the editor's replaces it.
                let on_disk = disk_files(dir, &|p| open.contains_key(&normalize(p)))?;
                if on_disk.is_none() && open.is_empty() {
                    return Ok(None);
                }
                let mut merged: BTreeMap<PathBuf, String> = on_disk
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(p, t)| (normalize(&p), t))
                    .collect();
                for (path, text) in open {
                    merged.insert(path.clone(), text.clone());
                }
                Ok(Some(merged.into_iter().collect()))
            }
            Files::Disk => disk_files(dir, &|_| false),
        }
    }
}

/// A folder's `.infra` files with their text, sorted by path; `None` if it does not exist.
type Listing = Option<Vec<(PathBuf, String)>>;

/// The `.infra` files of `dir` on disk; those `skip` names are listed without their text
/// (the caller has it).
fn disk_files(dir: &Path, skip: &dyn Fn(&Path) -> bool) -> Result<Listing, LoadError> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "infra") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        if skip(&path) {
            out.push((path, String::new()));
            continue;
        }
        // Invalid UTF-8 is a diagnostic on the file (see `add_module`), not a failure to
        // load: the other files still get checked.
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                out.push((path, text));
            }
            Err(source) => return Err(LoadError::Io { path, source }),
        }
    }
    Ok(Some(out))
}

impl Project {
    /// Reads the project in `dir`: its `.infra` files, `dir/environments/*.infra`, and the
    /// modules they name.
    pub fn load(dir: &Path) -> Result<Project, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError::NotAFolder(dir.to_path_buf()));
        }
        // `normalize(".")` is the empty path, which `read_dir` refuses.
        let mut root = normalize(dir);
        if root.as_os_str().is_empty() {
            root = PathBuf::from(".");
        }
        Loader::new(Files::Disk, &mut FullParse).run(&root)
    }

    /// Reads the project in `dir` like [`Project::load`], except that the files in `overrides`
    /// (path -> text) are taken from there instead of the disk, and count even when they do
    /// not exist on disk yet. This is how the language server checks unsaved buffers.
    pub fn load_with_overrides(
        dir: &Path,
        overrides: &BTreeMap<PathBuf, String>,
    ) -> Result<Project, LoadError> {
        Project::load_with_overrides_using(dir, overrides, &mut FullParse)
    }

    /// As [`Project::load_with_overrides`], with each file's tree from `parser` (the
    /// language server's, which keeps the trees of files that did not change).
    pub fn load_with_overrides_using(
        dir: &Path,
        overrides: &BTreeMap<PathBuf, String>,
        parser: &mut dyn FileParser,
    ) -> Result<Project, LoadError> {
        let mut root = normalize(dir);
        if root.as_os_str().is_empty() {
            root = PathBuf::from(".");
        }
        let texts: BTreeMap<PathBuf, String> = overrides
            .iter()
            .map(|(p, t)| (normalize(p), t.clone()))
            .collect();
        let has_open = texts.keys().any(|p| p.parent() == Some(root.as_path()));
        if !dir.is_dir() && !has_open {
            return Err(LoadError::NotAFolder(dir.to_path_buf()));
        }
        Loader::new(Files::Overlay(texts), parser).run(&root)
    }

    /// Builds a project from files held in memory. The root folder is the shallowest folder
    /// among the paths; its `environments/` subfolder belongs to the root; other folders are
    /// modules, used only when a `module` block names them.
    pub fn from_sources(files: Vec<(PathBuf, String)>) -> Result<Project, LoadError> {
        let mut by_dir: BTreeMap<PathBuf, Vec<(PathBuf, String)>> = BTreeMap::new();
        for (path, text) in files {
            let path = normalize(&path);
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            by_dir.entry(dir).or_default().push((path, text));
        }
        for list in by_dir.values_mut() {
            list.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let root = by_dir
            .keys()
            .min_by_key(|d| (d.components().count(), (*d).clone()))
            .cloned()
            .ok_or(LoadError::Empty)?;
        Loader::new(Files::Memory(by_dir), &mut FullParse).run(&root)
    }

    /// The root module's files.
    pub fn root_files(&self) -> impl Iterator<Item = &(FileId, Arc<ast::File>)> {
        self.modules
            .first()
            .into_iter()
            .flat_map(|m| m.files.iter())
    }
}

/// Turns a file's text into its tree while a project loads.
pub trait FileParser {
    /// The tree and syntax errors of `text`, the file `id` at `path`; the same as
    /// [`syntax::parse`] gives.
    fn parse(&mut self, id: FileId, path: &Path, text: &str) -> (Arc<ast::File>, Vec<Diagnostic>);
}

/// Parses every file in full.
struct FullParse;

impl FileParser for FullParse {
    fn parse(&mut self, id: FileId, _: &Path, text: &str) -> (Arc<ast::File>, Vec<Diagnostic>) {
        let (file, diags) = syntax::parse(id, text);
        (Arc::new(file), diags)
    }
}

struct Loader<'p> {
    parser: &'p mut dyn FileParser,
    files: Files,
    sources: SourceMap,
    modules: Vec<ModuleFiles>,
    index: HashMap<ModuleLocation, usize>,
    diagnostics: Vec<Diagnostic>,
}

impl<'p> Loader<'p> {
    fn new(files: Files, parser: &'p mut dyn FileParser) -> Loader<'p> {
        Loader {
            parser,
            files,
            sources: SourceMap::new(),
            modules: Vec::new(),
            index: HashMap::new(),
            diagnostics: Vec::new(),
        }
    }

    fn run(mut self, root: &Path) -> Result<Project, LoadError> {
        let mut texts = self.files.list(root)?.unwrap_or_default();
        // A project folder that is itself called `environments` has no nested one.
        if root.file_name().is_none_or(|n| n != "environments") {
            texts.extend(
                self.files
                    .list(&root.join("environments"))?
                    .unwrap_or_default(),
            );
        }
        // Diagnostics not tied to a file (an unknown environment) point at the first file.
        if texts.is_empty() {
            return Err(LoadError::NoSources(root.to_path_buf()));
        }
        let location = ModuleLocation::Dir(root.to_path_buf());
        self.add_module(location, texts);
        // Breadth-first so that module indices follow the order in which they are first named.
        let mut queue: VecDeque<usize> = VecDeque::from([0]);
        while let Some(m) = queue.pop_front() {
            for (source, span) in module_sources(&self.modules[m].files) {
                if self.modules[m].imports.contains_key(&source) {
                    continue;
                }
                let location = resolve(&self.modules[m].location, &source);
                let target = match self.index.get(&location) {
                    Some(&i) => Some(i),
                    None => match self.read(&location)? {
                        Some(texts) => {
                            let i = self.add_module(location, texts);
                            queue.push_back(i);
                            Some(i)
                        }
                        None => {
                            self.diagnostics.push(diag::names::module_not_found(
                                &source,
                                span,
                                &location.display(),
                            ));
                            None
                        }
                    },
                };
                if let Some(i) = target {
                    self.modules[m].imports.insert(source, i);
                }
            }
        }
        Ok(Project {
            sources: self.sources,
            modules: self.modules,
            diagnostics: self.diagnostics,
        })
    }

    fn read(&self, location: &ModuleLocation) -> Result<Option<Vec<(PathBuf, String)>>, LoadError> {
        match location {
            ModuleLocation::Dir(dir) => Ok(self.files.list(dir)?.filter(|f| !f.is_empty())),
            ModuleLocation::Bundled(name) => Ok(infra_stdlib::bundled_module(name).map(|files| {
                files
                    .iter()
                    .map(|(file, text)| (Path::new(name).join(file), text.to_string()))
                    .collect()
            })),
        }
    }

    fn add_module(&mut self, location: ModuleLocation, texts: Vec<(PathBuf, String)>) -> usize {
        let mut files = Vec::with_capacity(texts.len());
        for (path, text) in texts {
            let lossy = text
                .find('\u{FFFD}')
                .filter(|_| std::fs::read(&path).is_ok_and(|b| std::str::from_utf8(&b).is_err()));
            let id = self.sources.add(path, text);
            if let Some(at) = lossy {
                self.diagnostics
                    .push(diag::syntax::not_utf8(Span::new(id, at, at + 3)));
                let empty = ast::File {
                    items: Vec::new(),
                    comments: Vec::new(),
                };
                files.push((id, Arc::new(empty)));
                continue;
            }
            let source = self.sources.get(id);
            let (file, diags) = self.parser.parse(id, &source.path, &source.text);
            self.diagnostics.extend(diags);
            files.push((id, file));
        }
        let i = self.modules.len();
        self.index.insert(location.clone(), i);
        self.modules.push(ModuleFiles {
            location,
            files,
            imports: BTreeMap::new(),
        });
        i
    }
}

/// Every distinct `module` source string of a module with the span of its first use.
fn module_sources(files: &[(FileId, Arc<ast::File>)]) -> Vec<(String, crate::span::Span)> {
    let mut out: Vec<(String, crate::span::Span)> = Vec::new();
    for (_, file) in files {
        for item in &file.items {
            if let ast::Item::Module(m) = item
                && !out.iter().any(|(s, _)| *s == m.source)
            {
                out.push((m.source.clone(), m.source_span));
            }
        }
    }
    out
}

/// Where a module source points, seen from the module that names it.
fn resolve(from: &ModuleLocation, source: &str) -> ModuleLocation {
    if source.starts_with("std/") {
        return ModuleLocation::Bundled(normalize_str(source));
    }
    match from {
        ModuleLocation::Dir(dir) => ModuleLocation::Dir(normalize(&dir.join(source))),
        // Bundled modules may use their bundled siblings.
        ModuleLocation::Bundled(name) => {
            ModuleLocation::Bundled(normalize_str(&format!("{name}/{source}")))
        }
    }
}

fn normalize_str(s: &str) -> String {
    normalize(Path::new(s)).to_string_lossy().replace('\\', "/")
}

/// Lexical normalisation: drops `.`, folds `x/..`. Keeps leading `..` of relative paths.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(c),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
    }

    #[test]
    fn resolves_relative_and_bundled_sources() {
        let root = ModuleLocation::Dir(PathBuf::from("proj"));
        assert_eq!(
            resolve(&root, "./modules/api"),
            ModuleLocation::Dir(PathBuf::from("proj/modules/api"))
        );
        assert_eq!(
            resolve(&root, "std/naming"),
            ModuleLocation::Bundled("std/naming".into())
        );
        let std = ModuleLocation::Bundled("std/azure/site".into());
        assert_eq!(
            resolve(&std, "../naming"),
            ModuleLocation::Bundled("std/azure/naming".into())
        );
    }

    fn src(files: &[(&str, &str)]) -> Result<Project, LoadError> {
        Project::from_sources(
            files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), t.to_string()))
                .collect(),
        )
    }

    fn paths(p: &Project, m: usize) -> Vec<String> {
        p.modules[m]
            .files
            .iter()
            .map(|(id, _)| p.sources.path(*id).display().to_string())
            .collect()
    }

    #[test]
    fn root_takes_environments_and_modules_load_on_demand() {
        let p = src(&[
            ("proj/main.infra", "module web = \"./modules/web\" {}\n"),
            ("proj/environments/local.infra", "environment local {}\n"),
            (
                "proj/modules/web/main.infra",
                "param name: string = \"x\"\n",
            ),
            ("proj/modules/unused/main.infra", "let x = 1\n"),
        ])
        .unwrap();
        assert_eq!(
            paths(&p, 0),
            vec!["proj/main.infra", "proj/environments/local.infra"]
        );
        assert_eq!(p.modules.len(), 2, "the unused module is not loaded");
        assert_eq!(paths(&p, 1), vec!["proj/modules/web/main.infra"]);
        assert_eq!(p.modules[0].imports.get("./modules/web"), Some(&1));
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    }

    #[test]
    fn a_missing_module_is_e0204_and_an_empty_project_is_an_error() {
        let p = src(&[("main.infra", "module web = \"./nowhere\" {}\n")]).unwrap();
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].code, "E0204");
        assert!(matches!(src(&[]), Err(LoadError::Empty)));
    }

    #[test]
    fn a_project_folder_called_environments_has_no_nested_one() {
        let p = src(&[
            ("environments/local.infra", "environment local {}\n"),
            ("environments/main.infra", "let a = 1\n"),
        ])
        .unwrap();
        assert_eq!(
            paths(&p, 0),
            vec!["environments/local.infra", "environments/main.infra"]
        );
    }

    #[test]
    fn bundled_modules_are_found() {
        let p = src(&[(
            "main.infra",
            "module n = \"std/naming\" { project = \"a\", environment = \"b\" }\n",
        )])
        .unwrap();
        assert!(
            p.diagnostics.iter().all(|d| d.code != "E0204"),
            "{:?}",
            p.diagnostics
        );
        assert_eq!(p.modules.len(), 2);
        assert_eq!(
            p.modules[1].location,
            ModuleLocation::Bundled("std/naming".into())
        );
    }

    #[test]
    fn overrides_replace_and_add_files_on_disk() {
        let dir = std::env::temp_dir().join(format!("infra-lang-overlay-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("modules/web")).unwrap();
        std::fs::write(dir.join("a.infra"), "let a = 1\n").unwrap();
        std::fs::write(dir.join("b.infra"), "let b = 1\n").unwrap();
        std::fs::write(dir.join("modules/web/main.infra"), "let w = 1\n").unwrap();
        let overrides = BTreeMap::from([
            (
                dir.join("a.infra"),
                "let a = 2\nmodule web = \"./modules/web\" {}\n".into(),
            ),
            (dir.join("new.infra"), "let n = 1\n".to_string()),
            (dir.join("modules/web/main.infra"), "let w = 2\n".into()),
        ]);
        let p = Project::load_with_overrides(&dir, &overrides).unwrap();
        let text_of = |name: &str| {
            p.sources
                .files()
                .find(|(_, f)| f.path.ends_with(name))
                .map(|(_, f)| f.text.clone())
        };
        assert_eq!(paths(&p, 0).len(), 3, "disk files plus the unsaved new one");
        assert_eq!(text_of("a.infra").unwrap(), overrides[&dir.join("a.infra")]);
        assert_eq!(text_of("b.infra").unwrap(), "let b = 1\n");
        assert_eq!(text_of("new.infra").unwrap(), "let n = 1\n");
        assert_eq!(text_of("web/main.infra").unwrap(), "let w = 2\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn loads_from_disk() {
        let dir = std::env::temp_dir().join(format!("infra-lang-project-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("environments")).unwrap();
        std::fs::write(dir.join("b.infra"), "let b = 1\n").unwrap();
        std::fs::write(dir.join("a.infra"), "let a = 1\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a source").unwrap();
        std::fs::write(dir.join("environments/dev.infra"), "environment dev {}\n").unwrap();
        let p = Project::load(&dir).unwrap();
        let names: Vec<String> = paths(&p, 0)
            .iter()
            .map(|s| {
                Path::new(s)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["a.infra", "b.infra", "dev.infra"]);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(Project::load(&dir), Err(LoadError::NotAFolder(_))));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(Project::load(&dir), Err(LoadError::NoSources(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
