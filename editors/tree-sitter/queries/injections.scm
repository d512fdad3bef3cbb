; Comments may hold TODO/FIXME notes (the `comment` parser, where installed).
((comment) @injection.content
  (#set! injection.language "comment"))

; A heredoc whose marker names a language is highlighted as that language:
; `<<-JSON`, `<<-YAML`, `<<SH`, `<<-BASH`, `<<-SQL`, `<<-XML`, `<<-PS1`...
; (the text between interpolations; the interpolations stay `.infra`).
(heredoc
  (heredoc_start) @_marker
  (heredoc_content) @injection.content
  (#match? @_marker "^(JSON|json)$")
  (#set! injection.language "json"))

(heredoc
  (heredoc_start) @_marker
  (heredoc_content) @injection.content
  (#match? @_marker "^(YAML|yaml|YML|yml)$")
  (#set! injection.language "yaml"))

(heredoc
  (heredoc_start) @_marker
  (heredoc_content) @injection.content
  (#match? @_marker "^(SH|sh|BASH|bash|SHELL|shell)$")
  (#set! injection.language "bash"))

(heredoc
  (heredoc_start) @_marker
  (heredoc_content) @injection.content
  (#match? @_marker "^(SQL|sql)$")
  (#set! injection.language "sql"))

(heredoc
  (heredoc_start) @_marker
  (heredoc_content) @injection.content
  (#match? @_marker "^(XML|xml)$")
  (#set! injection.language "xml"))

(heredoc
  (heredoc_start) @_marker
  (heredoc_content) @injection.content
  (#match? @_marker "^(PS1|ps1|POWERSHELL|powershell)$")
  (#set! injection.language "powershell"))
