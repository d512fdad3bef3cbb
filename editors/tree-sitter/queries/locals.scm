; Scopes and definitions for `.infra`. A project's names are shared by all the files of its
; folder, so only what one file shows is here: the names it declares, the loop variables of
; `for` (visible in their resource body or comprehension), and the names it reads.

(source_file) @local.scope

(resource_declaration) @local.scope

(function_declaration) @local.scope

(list_comprehension) @local.scope

(object_comprehension) @local.scope

(param_declaration
  name: (identifier) @local.definition)

(let_declaration
  name: (identifier) @local.definition)

(resource_declaration
  name: (identifier) @local.definition)

(existing_declaration
  name: (identifier) @local.definition)

(module_declaration
  name: (identifier) @local.definition)

(function_declaration
  name: (identifier) @local.definition)

(function_parameter
  name: (identifier) @local.definition)

(for_clause
  key: (identifier) @local.definition)

(for_clause
  value: (identifier) @local.definition)

(list_comprehension
  variable: (identifier) @local.definition)

(object_comprehension
  variable: (identifier) @local.definition)

(reference) @local.reference
