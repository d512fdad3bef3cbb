; Highlights for `.infra`. Every capture names one node in one context, with no catch-all
; pattern: the tree-sitter CLI keeps the first pattern that matches a node and Neovim the last,
; so patterns that never overlap read the same in both.

; Keywords
[
  "param"
  "let"
  "resource"
  "existing"
  "module"
  "output"
  "environment"
  "import"
] @keyword

"fn" @keyword.function

[
  "for"
  "in"
] @keyword.repeat

"if" @keyword.conditional

; Literals
(comment) @comment

(string) @string

(escape_sequence) @string.escape

(heredoc_content) @string

(heredoc
  "<<" @label)

(heredoc
  strip: "-" @label)

(heredoc_start) @label

(heredoc_end) @label

(interpolation
  [
    "${"
    "}"
  ] @punctuation.special)

(number) @number

[
  (true)
  (false)
] @boolean

(null) @constant.builtin

; Types
(arm_type) @type

((type_name) @type.builtin
  (#match? @type.builtin "^(string|int|float|bool|any|secret)$"))

((type_name) @type
  (#not-match? @type "^(string|int|float|bool|any|secret)$"))

(generic_type
  name: (identifier) @type.builtin)

(type_field
  name: (identifier) @property)

(type_field
  optional: "?" @punctuation.special)

(enum_type
  "|" @operator)

; Declarations
(param_declaration
  name: (identifier) @variable.parameter)

(let_declaration
  name: (identifier) @variable)

(resource_declaration
  name: (identifier) @variable)

(existing_declaration
  name: (identifier) @variable)

(module_declaration
  name: (identifier) @module)

(output_declaration
  name: (identifier) @variable)

(environment_declaration
  name: (identifier) @constant)

(function_declaration
  name: (identifier) @function)

(function_parameter
  name: (identifier) @variable.parameter)

(for_clause
  key: (identifier) @variable)

(for_clause
  value: (identifier) @variable)

(list_comprehension
  variable: (identifier) @variable)

(object_comprehension
  variable: (identifier) @variable)

; Names in expressions
(reference) @variable

(attribute
  name: (identifier) @property)

(entry
  key: (identifier) @property)

(member_expression
  property: (identifier) @property)

(call_expression
  function: (identifier) @function.call)

(tagged_object
  tag: (identifier) @constructor)

; Operators and punctuation
(binary_expression
  operator: _ @operator)

(unary_expression
  operator: _ @operator)

(conditional_expression
  [
    "?"
    ":"
  ] @operator)

[
  "="
  "=>"
] @operator

[
  ","
  "."
] @punctuation.delimiter

(param_declaration
  ":" @punctuation.delimiter)

(resource_declaration
  ":" @punctuation.delimiter)

(existing_declaration
  ":" @punctuation.delimiter)

(output_declaration
  ":" @punctuation.delimiter)

(function_declaration
  ":" @punctuation.delimiter)

(function_declaration
  [
    "("
    ")"
  ] @punctuation.bracket)

(function_parameter
  ":" @punctuation.delimiter)

(type_field
  ":" @punctuation.delimiter)

(list_comprehension
  ":" @punctuation.delimiter)

(object_comprehension
  ":" @punctuation.delimiter)

(generic_type
  [
    "<"
    ">"
  ] @punctuation.bracket)

(block
  [
    "{"
    "}"
  ] @punctuation.bracket)

(object
  [
    "{"
    "}"
  ] @punctuation.bracket)

(tagged_object
  [
    "{"
    "}"
  ] @punctuation.bracket)

(object_type
  [
    "{"
    "}"
  ] @punctuation.bracket)

(object_comprehension
  [
    "{"
    "}"
  ] @punctuation.bracket)

(list
  [
    "["
    "]"
  ] @punctuation.bracket)

(list_comprehension
  [
    "["
    "]"
  ] @punctuation.bracket)

(index_expression
  [
    "["
    "]"
  ] @punctuation.bracket)

(arguments
  [
    "("
    ")"
  ] @punctuation.bracket)

(parenthesized_expression
  [
    "("
    ")"
  ] @punctuation.bracket)
