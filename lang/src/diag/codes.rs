//! The registry of diagnostic codes. Codes are stable: never renumber, only add.
//! `docs/diagnostics.md` is checked against this list by a test.

pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
}

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal;)*) => {
        $(pub const $name: &str = $code;)*
        pub const ALL: &[CodeInfo] = &[$(CodeInfo { code: $code, title: $title }),*];
    };
}

codes! {
    // syntax (E01xx)
    SYNTAX = "E0100": "syntax error";
    BAD_NUMBER = "E0101": "number out of range";
    BAD_ESCAPE = "E0102": "invalid escape in a string";
    UNTERMINATED_HEREDOC = "E0103": "heredoc without its closing marker";
    // names (E02xx)
    UNKNOWN_NAME = "E0200": "unknown reference";
    DUPLICATE_NAME = "E0201": "name declared twice";
    UNKNOWN_RESOURCE_TYPE = "E0202": "unknown resource type";
    UNKNOWN_ATTRIBUTE = "E0203": "reference to an attribute that does not exist";
    UNKNOWN_MODULE = "E0204": "module source not found";
    UNKNOWN_ENVIRONMENT = "E0205": "unknown environment";
    // properties and types (E03xx)
    UNKNOWN_PROPERTY = "E0300": "unknown property";
    TYPE_MISMATCH = "E0301": "wrong type";
    MISSING_PROPERTY = "E0302": "missing required property";
    UNKNOWN_ENUM_VALUE = "E0303": "value not allowed by the enum";
    READ_ONLY_PROPERTY = "E0304": "property is set by the cloud";
    DUPLICATE_PROPERTY = "E0305": "property set twice";
    UNKNOWN_TYPE = "E0306": "unknown type name";
    BAD_ENVIRONMENT = "E0307": "invalid environment block";
    MISSING_PARAM = "E0308": "parameter without a value";
    // graph (E04xx)
    CYCLE = "E0400": "dependency cycle";
    BAD_DEPENDS_ON = "E0401": "depends_on entry is not a resource";
    // secrets (E05xx)
    SECRET_TO_OUTPUT = "E0500": "secret flows into a non-secret output";
    SECRET_TO_PLAIN = "E0501": "secret flows into a non-secret property";
    // functions (E06xx)
    UNKNOWN_FUNCTION = "E0600": "unknown function";
    ARG_COUNT = "E0601": "wrong number of arguments";
    ARG_TYPE = "E0602": "wrong argument type";
    FUNCTION_FAILED = "E0603": "function call failed";
    // evaluation (E07xx)
    EVAL = "E0700": "evaluation error";
    DUPLICATE_KEY = "E0701": "duplicate instance key";
    INDEX_OUT_OF_RANGE = "E0702": "index out of range or missing key";
    DIVISION_BY_ZERO = "E0703": "division by zero";
    // ARM type references (E08xx)
    UNKNOWN_TYPE_REF = "E0800": "unknown ARM resource type";
    TYPED_UNKNOWN_PROPERTY = "E0801": "property not in the ARM type";
    TYPED_WRONG_TYPE = "E0802": "value of the wrong type for the ARM type";
    TYPED_NOT_ALLOWED = "E0803": "value not allowed by the ARM enum";
    TYPED_MISSING = "E0804": "required ARM property missing";
    TYPED_READ_ONLY = "E0805": "read-only ARM property set";
    TYPED_LENGTH = "E0806": "string or list length outside the ARM limits";
    TYPED_PATTERN = "E0807": "string does not match the ARM pattern";
    TYPED_RANGE = "E0808": "integer outside the ARM bounds";
    TYPED_DISCRIMINATOR = "E0809": "unknown variant of a discriminated ARM object";
    TYPED_PLACEMENT = "E0810": "ARM resource placed wrongly";
    // import blocks (E09xx)
    UNKNOWN_IMPORT_TARGET = "E0900": "import target is not a resource of the configuration";
    DUPLICATE_IMPORT = "E0901": "the same resource imported twice";
    IMPORT_ID_NOT_STRING = "E0902": "import id is not a string";
    BAD_IMPORT = "E0903": "invalid import block";
    // user-defined functions (E10xx, E1000-E1049)
    FUNCTION_RECURSION = "E1000": "function calls itself, directly or through others";
    FUNCTION_SHADOWS_BUILTIN = "E1001": "function named like a standard library function";
    FUNCTION_OUTSIDE_NAME = "E1002": "function body uses a name that is not its parameter";
    FUNCTION_IMPURE = "E1003": "function body reads the environment or a file";
    FUNCTION_DUPLICATE_PARAM = "E1004": "function parameter declared twice";
    // references that carry a resource's attributes, alternative inputs (E11xx)
    NOT_A_CARRIED_REFERENCE = "E1100": "input takes a reference to a resource of a given type";
    BOTH_ALTERNATIVES = "E1101": "two inputs that stand in for each other are both set";
    NEITHER_ALTERNATIVE = "E1102": "neither of two alternative inputs is set";
    // Hyper-V targets (E12xx)
    DUPLICATE_TARGET = "E1200": "an environment targets two clouds or two Hyper-V hosts";
    BAD_HYPERV_TARGET = "E1201": "invalid Hyper-V target";
    // warnings (W0xxx)
    UNUSED_PARAM = "W0001": "unused param";
    UNUSED_LET = "W0002": "unused let";
    REDUNDANT_DEPENDS_ON = "W0003": "depends_on already implied by a reference";
    NEAREST_API_VERSION = "W0800": "unknown api-version of a known ARM type";
    OPEN_ENUM_VALUE = "W0803": "value not among the known values of an open ARM enum";
    WRITE_ONLY_NOT_SECRET = "W0811": "write-only or sensitive ARM property given a non-secret value";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert_eq!(c.code.len(), 5, "{}", c.code);
            assert!(
                c.code.starts_with('E') || c.code.starts_with('W'),
                "{}",
                c.code
            );
        }
    }
}
