" Vim syntax file for .infra (the infra infrastructure language).
" Statement keywords only count at the start of a line, as in the parser.
if exists('b:current_syntax')
  finish
endif

syn case match

" Operators first: for items starting at the same place the last defined wins, so `//`
" and `/*` (defined below) beat the `/` operator.
syn match infraOperator "==\|!=\|<=\|>=\|&&\|||\|=>\|[-+*/%!?<>]"

" Comments
syn keyword infraTodo TODO FIXME XXX NOTE contained
syn region infraComment start="//" end="$" contains=infraTodo,@Spell
syn region infraComment start="#" end="$" contains=infraTodo,@Spell
syn region infraComment start="/\*" end="\*/" contains=infraTodo,@Spell

" Declarations: `resource name: type`, `param name`, ...
syn match infraDeclKeyword "^\s*\zs\%(param\|let\|output\|module\|fn\)\>" nextgroup=infraDeclName skipwhite
syn match infraDeclName "\h\w*" contained
" Environment names may hold dashes (`environment vm-test`), unlike other names.
syn match infraDeclKeyword "^\s*\zsenvironment\>" nextgroup=infraEnvName skipwhite
syn match infraEnvName "\h[[:alnum:]_-]*" contained
syn match infraResourceKeyword "^\s*\zs\%(resource\|existing\)\>" nextgroup=infraResourceName skipwhite
syn match infraResourceName "\h\w*" contained nextgroup=infraTypeColon skipwhite
syn match infraTypeColon ":" contained nextgroup=infraTypeRef,infraArmTypeRef skipwhite
syn match infraTypeRef "\h\w*\%(\.\h\w*\)*" contained
syn region infraArmTypeRef matchgroup=infraString start=+"+ end=+"+ oneline contained contains=infraArmVersion
syn match infraArmVersion "@[^"]*" contained
syn match infraImportKeyword "^\s*\zsimport\ze\s*{"

" Expressions
syn keyword infraControl for in if
syn keyword infraBoolean true false
syn keyword infraNull null
syn match infraType "\<\%(string\|int\|float\|bool\|any\|secret\)\>\%(\s*\%(=[^=]\|(\|\.\)\)\@!"
syn match infraType "\<\%(list\|map\)\ze\s*<"
syn match infraNumber "\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\>"
syn match infraFunction "\<\h\w*\ze("
syn match infraAttribute "\<\h\w*\ze\s*=\%([=>]\)\@!"

" Strings with `${...}` interpolation (nested strings and braces allowed) and heredocs.
syn match infraEscape "\\\%(u{\x*}\|.\)" contained
syn match infraEscape "\$\${" contained
syn region infraString start=+"+ skip=+\\\\\|\\"+ end=+"\|$+ contains=infraEscape,infraInterpolation,@Spell
syn region infraInterpolation matchgroup=infraInterpolationDelim start="\${" end="}" contained contains=TOP,infraBraces
syn region infraBraces start="{" end="}" transparent contained contains=TOP,infraBraces
syn region infraHeredoc matchgroup=infraHeredocMarker start="<<-\=\z(\h\w*\)\s*$" end="^\s*\z1\s*$" contains=infraInterpolation,infraEscape

hi def link infraComment Comment
hi def link infraTodo Todo
hi def link infraDeclKeyword Keyword
hi def link infraResourceKeyword Keyword
hi def link infraImportKeyword Keyword
hi def link infraDeclName Identifier
hi def link infraEnvName Identifier
hi def link infraResourceName Identifier
hi def link infraTypeRef Type
hi def link infraArmTypeRef Type
hi def link infraArmVersion Constant
hi def link infraType Type
hi def link infraControl Conditional
hi def link infraBoolean Boolean
hi def link infraNull Constant
hi def link infraNumber Number
hi def link infraFunction Function
hi def link infraAttribute Identifier
hi def link infraOperator Operator
hi def link infraString String
hi def link infraEscape SpecialChar
hi def link infraInterpolationDelim Delimiter
hi def link infraHeredoc String
hi def link infraHeredocMarker Delimiter

let b:current_syntax = 'infra'
