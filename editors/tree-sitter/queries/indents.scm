; Indentation for `.infra` (nvim-treesitter's capture names): the contents of braces, brackets
; and parentheses are indented one level; the closing bracket goes back to the opening line's.

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
] @indent.begin

[
  "}"
  "]"
  ")"
] @indent.branch @indent.end

; Heredoc text keeps the indentation it was written with.
(heredoc) @indent.ignore

(comment) @indent.auto
