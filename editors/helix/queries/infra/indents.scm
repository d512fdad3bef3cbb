; Indentation for `.infra` in Helix (its capture names): the contents of braces, brackets and
; parentheses are indented one level, and the closing bracket goes back.

[
  (block)
  (object)
  (tagged_object)
  (object_type)
  (object_comprehension)
  (list)
  (list_comprehension)
  (arguments)
  (parenthesized_expression)
] @indent

[
  "}"
  "]"
  ")"
] @outdent
