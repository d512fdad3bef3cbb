" Indentation for .infra: one level per open `{`, `[` or `(`; heredoc bodies are left alone.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=InfraIndent(v:lnum)
setlocal indentkeys=0},0],0),!^F,o,O
setlocal autoindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent<'

if exists('*InfraIndent')
  finish
endif

" Open minus closed brackets on a line, outside strings and comments.
function! s:Balance(lnum) abort
  let line = getline(a:lnum)
  let balance = 0
  let col = 0
  for ch in split(line, '\zs')
    let col += len(ch)
    if ch =~# '[{\[(]\|[}\])]'
      let name = synIDattr(synID(a:lnum, col, 0), 'name')
      if name =~# 'Comment\|String\|Heredoc\|Escape'
        continue
      endif
      let balance += ch =~# '[{\[(]' ? 1 : -1
    endif
  endfor
  return balance
endfunction

function! InfraIndent(lnum) abort
  let name = synIDattr(synID(a:lnum, 1, 0), 'name')
  if name =~# 'Heredoc'
    return -1
  endif
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  " After a heredoc, continue from the line that opened it.
  while prev > 1 && synIDattr(synID(prev, indent(prev) + 1, 0), 'name') =~# 'Heredoc'
    let prev -= 1
  endwhile
  let ind = indent(prev)
  " A line that opens more than it closes indents the next; a closing one dedents itself.
  let opened = s:Balance(prev)
  if opened > 0
    let ind += shiftwidth()
  endif
  if getline(a:lnum) =~# '^\s*[}\])]'
    let ind -= shiftwidth()
  endif
  " A previous line starting with a closer already dedented itself: do not count it twice.
  if opened < 0 && getline(prev) !~# '^\s*[}\])]'
    let ind -= shiftwidth()
  endif
  return ind < 0 ? 0 : ind
endfunction
