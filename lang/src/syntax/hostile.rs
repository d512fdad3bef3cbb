//! Fragments of hostile input: each opens, closes or continues a nesting the grammar can
//! recurse into. The `deep` fuzz target, the hostile-input tests and the nesting-scan tests
//! mix them at random; kept in one place so that a new way to nest reaches all three.

/// Every opening, closing and continuing token of the grammar's nestings, as text to repeat.
#[doc(hidden)]
pub const NESTING_FRAGMENTS: &[&str] = &[
    "c ? ",
    " : ",
    "c ? 1 : ",
    " ? ",
    "(",
    ")",
    "[",
    "]",
    "{ a = ",
    " }",
    " + 1",
    " &&\n c",
    "!",
    "-",
    "\"${",
    "}\"",
    "[for v in l: ",
    "{for k, v in o: k => ",
    "max(0, ",
    ".a",
    "[0]",
    "\n",
    ", ",
    "list<",
    ">",
    "{ a: ",
    "<<EOT\n${",
    "\nEOT\n",
    "0",
    "c",
];
