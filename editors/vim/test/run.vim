" Headless check of the Vim syntax, indent and ftplugin for .infra, by synID at known places.
" Run: vim -Nu NONE -i NONE -es -S editors/vim/test/run.vim   (exit code 0 when it passes)
let s:root = fnamemodify(resolve(expand('<sfile>:p')), ':h:h')
let &runtimepath = s:root . ',' . &runtimepath
filetype plugin indent on
syntax on
let s:errors = []
execute 'edit ' . fnameescape(s:root . '/test/sample.infra')

" The syntax group at the first character of `text` (its nth occurrence) on line `lnum`.
function! s:Expect(lnum, text, group, ...) abort
  let nth = a:0 ? a:1 : 1
  let line = getline(a:lnum)
  let col = -1
  for _ in range(nth)
    let col = stridx(line, a:text, col + 1)
  endfor
  if col < 0
    call add(s:errors, printf('line %d: `%s` not found', a:lnum, a:text))
    return
  endif
  let name = synIDattr(synID(a:lnum, col + 1, 1), 'name')
  if name !=# a:group
    call add(s:errors, printf('line %d `%s`: expected %s, got %s', a:lnum, a:text, a:group, name))
  endif
endfunction

if &filetype !=# 'infra'
  call add(s:errors, 'filetype not detected: ' . &filetype)
endif
if &commentstring !=# '// %s'
  call add(s:errors, 'commentstring: ' . &commentstring)
endif
call s:Expect(1, 'A sample', 'infraComment')
call s:Expect(2, 'param', 'infraDeclKeyword')
call s:Expect(2, 'environment', 'infraDeclName')
call s:Expect(2, 'string', 'infraType')
call s:Expect(3, 'prefix', 'infraDeclName')
call s:Expect(3, '"lw-', 'infraString')
call s:Expect(3, '${', 'infraInterpolationDelim')
call s:Expect(3, 'environment}', 'infraInterpolation')
call s:Expect(3, 'lower', 'infraFunction')
call s:Expect(3, '"X"', 'infraString')
call s:Expect(3, '}"', 'infraInterpolationDelim')
call s:Expect(3, '}-', 'infraInterpolationDelim')
call s:Expect(4, 'resource', 'infraResourceKeyword')
call s:Expect(4, 'rg', 'infraResourceName')
call s:Expect(4, 'azure.resource_group', 'infraTypeRef')
call s:Expect(5, 'name', 'infraAttribute')
call s:Expect(6, 'env', 'infraAttribute')
call s:Expect(6, '3', 'infraNumber')
call s:Expect(8, 'web', 'infraResourceName')
call s:Expect(8, 'Microsoft.Web', 'infraArmTypeRef')
call s:Expect(8, '@2025', 'infraArmVersion')
call s:Expect(11, 'true', 'infraBoolean')
call s:Expect(12, 'EOT', 'infraHeredocMarker')
call s:Expect(13, 'echo', 'infraHeredoc')
call s:Expect(13, '# not', 'infraHeredoc')
call s:Expect(13, '${', 'infraInterpolationDelim')
call s:Expect(14, 'EOT', 'infraHeredocMarker')
call s:Expect(16, 'for', 'infraControl')
call s:Expect(16, 'in', 'infraControl')
call s:Expect(16, 'upper', 'infraFunction')
call s:Expect(16, 'null', 'infraNull')
call s:Expect(18, 'import', 'infraImportKeyword')
call s:Expect(22, 'a hash', 'infraComment')
call s:Expect(23, 'block', 'infraComment')
call s:Expect(24, 'output', 'infraDeclKeyword')
call s:Expect(24, 'web', 'infraInterpolation')
call s:Expect(25, 'environment', 'infraDeclKeyword')
" A dashed environment name is one name, up to its last character.
call s:Expect(25, 'vm-', 'infraEnvName')
call s:Expect(25, '-test', 'infraEnvName')
call s:Expect(25, 'test', 'infraEnvName')
call s:Expect(25, 't {', 'infraEnvName')

" Re-indenting the (well indented) sample must leave it unchanged.
let s:before = getline(1, '$')
call setline(1, map(copy(s:before), 'substitute(v:val, "^\\s\\+", "", "")'))
" The heredoc body keeps its own indentation: put it back before re-indenting the rest.
call setline(13, s:before[12])
call setline(14, s:before[13])
silent normal! gg=G
let s:after = getline(1, '$')
for i in range(len(s:before))
  if s:before[i] !=# s:after[i]
    call add(s:errors, printf('indent line %d: expected %s, got %s', i + 1, string(s:before[i]), string(s:after[i])))
  endif
endfor

if empty(s:errors)
  qall!
endif
call writefile(s:errors, '/dev/stderr')
cquit!
