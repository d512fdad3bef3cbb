; Indentation in Zed (its capture names): inside braces, brackets and parentheses one level
; more, back at the closing one.
(_ "{" "}" @end) @indent
(_ "[" "]" @end) @indent
(_ "(" ")" @end) @indent
